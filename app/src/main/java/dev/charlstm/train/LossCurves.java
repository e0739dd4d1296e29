package dev.charlstm.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Validation loss as a function of training iterations, per candidate network and per corpus
 * size, as measured by the scaling study ({@code bench/study.sh}, {@code docs/experiments.md}).
 *
 * <p>Curves are in iterations, not seconds, so they hold on any machine; the planner turns a time
 * budget into iterations with the throughput it measures. A prediction is the best validation
 * loss a run would have seen by iteration {@code n}: read off the measured curve (linear between
 * validations, flat after the last, since the study stopped runs once they stopped improving),
 * then interpolated between the study's corpora in log of the corpus size, and clamped outside
 * their range.
 *
 * <pre>{@code
 * double loss = LossCurves.bundled().predict("m256", 76_000, 300);
 * }</pre>
 */
final class LossCurves {

    /** A corpus's curve for one candidate: iterations and the best loss seen up to each. */
    private record Curve(int[] iterations, double[] bestSoFar) {}

    /** candidate → (training characters of the study corpus → curve) */
    private final Map<String, TreeMap<Integer, Curve>> curves;
    private final double uniformLoss;

    private LossCurves(Map<String, TreeMap<Integer, Curve>> curves, double uniformLoss) {
        this.curves = curves;
        this.uniformLoss = uniformLoss;
    }

    /** The study's curves, shipped with the jar. */
    static LossCurves bundled() {
        try (InputStream in = LossCurves.class.getResourceAsStream("plan-curves.tsv")) {
            if (in == null) {
                throw new IllegalStateException("plan-curves.tsv is missing from the jar");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads lines of {@code candidate <tab> training characters <tab> iteration <tab> validation loss};
     * lines starting with '#' are comments.
     */
    static LossCurves parse(InputStream in) throws IOException {
        Map<String, TreeMap<Integer, List<double[]>>> points = new TreeMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length != 4) {
                    throw new IllegalArgumentException("plan-curves.tsv: expected 4 columns, got: " + line);
                }
                points.computeIfAbsent(f[0], k -> new TreeMap<>())
                        .computeIfAbsent(Integer.parseInt(f[1]), k -> new ArrayList<>())
                        .add(new double[] {Integer.parseInt(f[2]), Double.parseDouble(f[3])});
            }
        }
        Map<String, TreeMap<Integer, Curve>> curves = new TreeMap<>();
        points.forEach((candidate, byCorpus) -> byCorpus.forEach((chars, list) -> {
            list.sort((a, b) -> Double.compare(a[0], b[0]));
            int[] its = new int[list.size()];
            double[] best = new double[list.size()];
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < list.size(); i++) {
                its[i] = (int) list.get(i)[0];
                min = Math.min(min, list.get(i)[1]);
                best[i] = min;
            }
            curves.computeIfAbsent(candidate, k -> new TreeMap<>()).put(chars, new Curve(its, best));
        }));
        return new LossCurves(curves, Math.log(100));
    }

    boolean knows(String candidate) {
        return curves.containsKey(candidate);
    }

    /** Training-text sizes the study measured any candidate on. */
    SortedSet<Integer> corpora() {
        SortedSet<Integer> all = new TreeSet<>();
        curves.values().forEach(byCorpus -> all.addAll(byCorpus.keySet()));
        return all;
    }

    /** Training-text sizes the study measured {@code candidate} on. */
    SortedSet<Integer> corporaOf(String candidate) {
        return new TreeSet<>(curves.getOrDefault(candidate, new TreeMap<>()).keySet());
    }

    /**
     * The best validation loss (nats/char) a run of {@code candidate} on {@code trainChars} training
     * characters is predicted to reach within {@code iterations}.
     */
    double predict(String candidate, long trainChars, long iterations) {
        TreeMap<Integer, Curve> byCorpus = curves.get(candidate);
        if (byCorpus == null) {
            throw new IllegalArgumentException("no study curve for candidate '" + candidate + "'");
        }
        Map.Entry<Integer, Curve> below = byCorpus.floorEntry((int) Math.min(Integer.MAX_VALUE, trainChars));
        Map.Entry<Integer, Curve> above = byCorpus.ceilingEntry((int) Math.min(Integer.MAX_VALUE, trainChars));
        if (below == null) {
            return at(above.getValue(), iterations);
        }
        if (above == null || above.getKey().equals(below.getKey())) {
            return at(below.getValue(), iterations);
        }
        double w = (Math.log(trainChars) - Math.log(below.getKey())) / (Math.log(above.getKey()) - Math.log(below.getKey()));
        return (1 - w) * at(below.getValue(), iterations) + w * at(above.getValue(), iterations);
    }

    /**
     * The iteration at which {@code candidate}'s curve reaches its minimum on a text of this size
     * (interpolated like {@link #predict}): where a run has to validate often to catch its best.
     */
    double bestIteration(String candidate, long trainChars) {
        TreeMap<Integer, Curve> byCorpus = curves.get(candidate);
        if (byCorpus == null) {
            throw new IllegalArgumentException("no study curve for candidate '" + candidate + "'");
        }
        int size = (int) Math.min(Integer.MAX_VALUE, trainChars);
        Map.Entry<Integer, Curve> below = byCorpus.floorEntry(size);
        Map.Entry<Integer, Curve> above = byCorpus.ceilingEntry(size);
        if (below == null || above == null || above.getKey().equals(below.getKey())) {
            return minimumAt((below != null ? below : above).getValue());
        }
        double w = (Math.log(trainChars) - Math.log(below.getKey())) / (Math.log(above.getKey()) - Math.log(below.getKey()));
        return (1 - w) * minimumAt(below.getValue()) + w * minimumAt(above.getValue());
    }

    private static int minimumAt(Curve c) {
        double[] best = c.bestSoFar();
        int first = best.length - 1;
        while (first > 0 && best[first - 1] == best[best.length - 1]) {
            first--;
        }
        return c.iterations()[first];
    }

    /** The running minimum at {@code n}: linear between validations, from the uniform loss at 0, flat after the last. */
    private double at(Curve c, long n) {
        int[] its = c.iterations();
        double[] best = c.bestSoFar();
        if (n >= its[its.length - 1]) {
            return best[best.length - 1];
        }
        int prevIt = 0;
        double prevLoss = uniformLoss;
        for (int i = 0; i < its.length; i++) {
            if (n < its[i]) {
                double w = (double) (n - prevIt) / (its[i] - prevIt);
                return prevLoss + w * (best[i] - prevLoss);
            }
            prevIt = its[i];
            prevLoss = best[i];
        }
        return best[best.length - 1];
    }
}
