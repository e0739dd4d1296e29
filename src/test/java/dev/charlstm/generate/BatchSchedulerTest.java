package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.charlstm.testing.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSchedulerTest {

    @TempDir
    static Path dir;
    static Generator generator;

    @BeforeAll
    static void model() throws Exception {
        Path file = dir.resolve("model.zip");
        TinyModels.savePeaky(file);
        generator = Generator.load(file);
    }

    private static GenerationOptions options(long seed, int length) {
        return GenerationOptions.builder().prime("Th").length(length).seed(seed).build();
    }

    @Test
    void requestsShareForwardStepsAndGetWhatTheyWouldGetAlone() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 64, 64)) {
            CountDownLatch hold = new CountDownLatch(1);
            AtomicInteger widest = new AtomicInteger();
            // The first request's first character holds the worker until every request is queued.
            List<CompletableFuture<List<Sample>>> results = new ArrayList<>();
            results.add(scheduler.submit(options(0, 300), (i, text) -> {
                await(hold);
                widest.accumulateAndGet(scheduler.activeStreams(), Math::max);
            }));
            for (long seed = 1; seed < 8; seed++) {
                results.add(scheduler.submit(options(seed, 200 + (int) seed * 10), (i, text) -> { }));
            }
            hold.countDown();
            for (int seed = 0; seed < 8; seed++) {
                Sample batched = results.get(seed).get(30, TimeUnit.SECONDS).get(0);
                Sample alone = generator.generate(options(seed, seed == 0 ? 300 : 200 + seed * 10)).get(0);
                assertThat(batched).isEqualTo(alone);
            }
            assertThat(widest.get()).as("streams advanced in one step").isEqualTo(8);
        }
    }

    @Test
    void aFullQueueRefusesInsteadOfWaiting() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 4, 2)) {
            CountDownLatch hold = new CountDownLatch(1);
            CompletableFuture<List<Sample>> first = scheduler.submit(options(1, 50), (i, t) -> await(hold));
            CompletableFuture<List<Sample>> second = scheduler.submit(options(2, 50), (i, t) -> { });
            assertThatThrownBy(() -> scheduler.submit(options(3, 50), (i, t) -> { }))
                    .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("too many requests");
            hold.countDown();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
            assertThat(scheduler.submit(options(3, 50), (i, t) -> { }).get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void cancellingFreesTheRequestsSlot() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 4, 1)) {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<List<Sample>> endless = scheduler.submit(options(1, 1_000_000), (i, t) -> started.countDown());
            started.await(10, TimeUnit.SECONDS);
            BatchScheduler.cancel(endless);
            assertThatThrownBy(() -> endless.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (scheduler.pendingRequests() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(scheduler.submit(options(2, 10), (i, t) -> { }).get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void shutdownFinishesWhatWasAdmittedAndRefusesMore() throws Exception {
        BatchScheduler scheduler = new BatchScheduler(generator, 4, 8);
        CompletableFuture<List<Sample>> inFlight = scheduler.submit(options(5, 2000), (i, t) -> { });
        assertThat(scheduler.shutdown(30)).isTrue();
        assertThat(inFlight.get().get(0).text()).hasSize(2000);
        assertThatThrownBy(() -> scheduler.submit(options(6, 10), (i, t) -> { }))
                .isInstanceOf(RejectedExecutionException.class).hasMessage("shutting down");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
