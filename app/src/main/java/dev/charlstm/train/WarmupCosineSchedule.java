package dev.charlstm.train;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A learning rate that knows the budget: a linear warm-up over the first {@code warmup} updates,
 * then half a cosine from the full rate down to {@code floor} times it at update {@code total},
 * and the floor after that. DL4J's updater calls it once per truncated-BPTT segment, so the
 * counts are in segments. Stored in the network's configuration, so a resumed run continues the
 * same curve.
 */
public final class WarmupCosineSchedule implements ISchedule {

    private final double initialValue;
    private final int warmup;
    private final int total;
    private final double floor;

    /**
     * @param initialValue the peak learning rate
     * @param warmup       updates of linear warm-up (0 = none)
     * @param total        the update at which the cosine reaches the floor
     * @param floor        the final rate as a fraction of the peak
     */
    public WarmupCosineSchedule(@JsonProperty("initialValue") double initialValue, @JsonProperty("warmup") int warmup,
                                @JsonProperty("total") int total, @JsonProperty("floor") double floor) {
        if (!(initialValue > 0) || warmup < 0 || total <= warmup || !(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("a warm-up/cosine schedule needs a positive rate, 0 <= warmup < total "
                    + "and a floor in [0, 1]; got " + initialValue + ", " + warmup + ", " + total + ", " + floor);
        }
        this.initialValue = initialValue;
        this.warmup = warmup;
        this.total = total;
        this.floor = floor;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmup) {
            return initialValue * (iteration + 1) / warmup;
        }
        double progress = Math.min(1.0, (double) (iteration - warmup) / (total - warmup));
        return initialValue * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(initialValue, warmup, total, floor);
    }

    @JsonProperty("initialValue")
    public double getInitialValue() {
        return initialValue;
    }

    @JsonProperty("warmup")
    public int getWarmup() {
        return warmup;
    }

    @JsonProperty("total")
    public int getTotal() {
        return total;
    }

    @JsonProperty("floor")
    public double getFloor() {
        return floor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule s && s.initialValue == initialValue && s.warmup == warmup
                && s.total == total && s.floor == floor;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initialValue, warmup, total, floor);
    }
}
