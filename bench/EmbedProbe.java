import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What an embedding program pays to get its first character out of a model: run by bench/embed.sh,
 * once on the library's class path and once on the application's.
 *
 * <pre>
 *   java -cp LIBRARY-CLASS-PATH:classes EmbedProbe lib MODEL.zip
 *   java -cp APPLICATION-CLASS-PATH:classes EmbedProbe app MODEL.zip
 * </pre>
 *
 * {@code lib}: {@code Generator.load}, then generate. {@code app}: first {@code ModelFile.load}, the
 * DL4J network as the application restores it (ND4J's start-up included), as loading a model cost
 * before the library read the plain weights; then the same as {@code lib}. Compiled against the
 * library alone, so {@code ModelFile} is reached by reflection.
 *
 * <p>Prints one line of {@code key=value}: the wall-clock time of the first generated text (epoch
 * nanoseconds, for the script to subtract its launch time from), the load duration (and the part
 * of it {@code ModelFile.load} took), the time from loaded to the first text, heap used after {@code System.gc()} before loading and with the model loaded, and the
 * process's resident memory with the model loaded (ND4J keeps its arrays off the heap).
 */
public final class EmbedProbe {

    /** Keeps what was loaded reachable while the heap is measured. */
    private static Object retained;

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("lib") || args[0].equals("app"))) {
            System.err.println("usage: EmbedProbe lib|app MODEL.zip");
            System.exit(2);
        }
        Path model = Path.of(args[1]);
        long heapBefore = usedHeapAfterGc();
        long t0 = System.nanoTime();
        Object network = null;
        if (args[0].equals("app")) {
            network = Class.forName("dev.charlstm.model.ModelFile").getMethod("load", Path.class).invoke(null, model);
        }
        long restored = System.nanoTime();
        Generator generator = Generator.load(model);
        long loaded = System.nanoTime();
        long[] first = new long[2];
        GenerationOptions options = GenerationOptions.builder().prime("Th").length(40).temperature(0.8).seed(7L).build();
        generator.generate(options, (sample, text) -> {
            if (first[0] == 0 && !text.isEmpty()) {
                first[0] = System.nanoTime();
                Instant now = Instant.now();
                first[1] = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
        });
        retained = new Object[] {generator, network};
        long heapLoaded = usedHeapAfterGc();
        System.out.printf("first_text_epoch_ns=%d load_ms=%.1f dl4j_load_ms=%.1f first_text_after_load_ms=%.1f "
                        + "heap_before_mb=%.1f heap_loaded_mb=%.1f rss_loaded_mb=%.1f%n",
                first[1], (loaded - t0) / 1e6, (restored - t0) / 1e6, (first[0] - loaded) / 1e6,
                heapBefore / 1e6, heapLoaded / 1e6, rssKb() / 1e3);
        System.out.flush();
        // The application's ND4J leaves non-daemon threads behind; end the JVM either way.
        System.exit(retained == null ? 1 : 0);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** VmRSS from /proc/self/status, in kB (0 where there is no /proc). */
    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not Linux: leave the figure out
        }
        return 0;
    }
}
