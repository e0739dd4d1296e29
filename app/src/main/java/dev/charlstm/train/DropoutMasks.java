package dev.charlstm.train;

import java.util.SplittableRandom;

/**
 * The dropout masks of one truncated-BPTT segment, drawn the same way by every training engine.
 *
 * <p>Each batch row has its own generator, seeded from the segment seed and the row's index in the
 * whole batch, so the masks do not depend on how the batch is split across threads or devices.
 * A row's generator fills, in order, the input mask of every stacked LSTM layer after the first,
 * then the output layer's input mask; each mask holds {@code 1/keep} for a kept unit and 0 for a
 * dropped one (inverted dropout, as DL4J's {@code Dropout} applies it).
 *
 * <p>Masks are laid out time-major, {@code [step][row][unit]}, for the rows of one shard.
 */
final class DropoutMasks {

    private DropoutMasks() {}

    /**
     * Fills the masks of batch rows {@code [first, first + rows)}.
     *
     * @param layerMasks  per LSTM layer, {@code [steps][rows][hidden]}; entry 0 is unused (null allowed)
     * @param outputMask  {@code [steps][rows][hidden]}
     * @param keepInput   per LSTM layer, the probability of keeping a unit of its input (entry 0 unused)
     * @param keepOutput  the probability of keeping a unit of the output layer's input
     */
    static void draw(long seed, int first, int rows, int steps, int hidden, float[] keepInput, float keepOutput,
                     float[][] layerMasks, float[] outputMask) {
        for (int r = 0; r < rows; r++) {
            SplittableRandom random = new SplittableRandom(rowSeed(seed, first + r));
            for (int l = 1; l < keepInput.length; l++) {
                fill(layerMasks[l], keepInput[l], steps, rows, hidden, r, random);
            }
            fill(outputMask, keepOutput, steps, rows, hidden, r, random);
        }
    }

    /**
     * The seed of one batch row's generator. Mixed, not merely offset: seeds that differ by a
     * multiple of {@code SplittableRandom}'s own increment would give the same stream shifted by a
     * few draws, and so the same masks on different rows.
     */
    static long rowSeed(long segmentSeed, int row) {
        return mix(segmentSeed + mix(row + 1L));
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void fill(float[] mask, float keep, int steps, int rows, int hidden, int r, SplittableRandom random) {
        float scale = 1f / keep;
        for (int t = 0; t < steps; t++) {
            int base = (t * rows + r) * hidden;
            for (int k = 0; k < hidden; k++) {
                // keep == 1 draws nothing, so a network without dropout consumes no random numbers
                mask[base + k] = keep >= 1f || random.nextFloat() < keep ? scale : 0f;
            }
        }
    }
}
