package dev.charlstm.train;

/**
 * Training characters per second a configuration reaches on this machine. The planner asks it
 * once per candidate; tests hand the planner fixed figures instead.
 */
@FunctionalInterface
interface ThroughputProbe {
    double charsPerSecond(TrainConfig candidate);
}
