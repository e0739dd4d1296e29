/**
 * Training: the configuration, the planner that picks a network for the machine and budget, the
 * network, the gradient engines ({@code BlasLstm}, {@code Nd4jLstm}, DL4J's own), truncated BPTT,
 * the training loop with checkpoints and resume, and what a run writes (model, metrics, chart).
 * <b>Internal</b>: {@code Training} and {@code TrainConfig} are public for {@code cli}.
 *
 * <p>Depends on {@code model}, {@code corpus}, {@code io}, {@code generate} (samples during
 * training) and {@code scrape} (the {@code corpus} setting; known debt). Never on serve or cli.
 */
package dev.charlstm.train;
