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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    void aCallerThatHasItsAnswerFindsItsPlaceFreeAtOnce() throws Exception {
        // One place in the queue. The next request is submitted from the completion itself, as the
        // service answers from it and a client can be back before the worker moves on.
        try (BatchScheduler scheduler = new BatchScheduler(generator, 4, 1)) {
            for (boolean failed : new boolean[] {false, true}) {
                CompletableFuture<CompletableFuture<List<Sample>>> next = new CompletableFuture<>();
                CompletableFuture<List<Sample>> first = scheduler.submit(options(1, 50), (i, text) -> {
                    if (failed) {
                        throw new IllegalStateException("listener gave up");
                    }
                });
                first.whenComplete((samples, error) -> {
                    try {
                        next.complete(scheduler.submit(options(2, 5), (i, text) -> { })); // refused when still full
                    } catch (Throwable t) {
                        next.completeExceptionally(t);
                    }
                });
                assertThat(next.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS)).as("failed first: %s", failed)
                        .hasSize(1);
            }
        }
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
            assertThat(scheduler.widestStep()).isEqualTo(8);
            awaitNoPending(scheduler);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (scheduler.activeStreams() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(scheduler.activeStreams()).as("an idle scheduler advances nothing").isZero();
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

    private static final Generator.StreamListener IGNORE = (i, text) -> { };

    private static GenerationOptions endless(long seed, int count) {
        return GenerationOptions.builder().prime("Th").length(GenerationOptions.MAX_LENGTH).seed(seed).count(count)
                .build();
    }

    private static void awaitNoPending(BatchScheduler scheduler) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.pendingRequests() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(scheduler.pendingRequests()).as("requests still admitted").isZero();
    }

    @Test
    void aListenerThatThrowsFailsOnlyItsOwnRequest() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 64, 64)) {
            CountDownLatch hold = new CountDownLatch(1);
            // Holds the worker in its first step until the other two are queued, so all three share steps.
            CompletableFuture<List<Sample>> holder = scheduler.submit(options(1, 300), (i, t) -> await(hold));
            IllegalStateException broken = new IllegalStateException("client write failed");
            CompletableFuture<List<Sample>> thrower = scheduler.submit(options(2, 300), (i, t) -> {
                throw broken;
            });
            CompletableFuture<List<Sample>> bystander = scheduler.submit(options(3, 300), IGNORE);
            hold.countDown();
            assertThatThrownBy(() -> thrower.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCause(broken);
            assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo(generator.generate(options(1, 300)));
            assertThat(bystander.get(10, TimeUnit.SECONDS)).isEqualTo(generator.generate(options(3, 300)));
            awaitNoPending(scheduler);
        }
    }

    @Test
    void aListenerErrorFailsItsRequestAndTheSchedulerKeepsServing() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 64, 64)) {
            AssertionError error = new AssertionError("listener broke");
            CompletableFuture<List<Sample>> thrower = scheduler.submit(options(2, 300), (i, t) -> {
                throw error;
            });
            assertThatThrownBy(() -> thrower.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCause(error);
            assertThat(scheduler.submit(options(4, 100), IGNORE).get(10, TimeUnit.SECONDS))
                    .isEqualTo(generator.generate(options(4, 100)));
        }
    }

    /**
     * An Error in a forward step (here a simulated out-of-memory) fails the requests whose streams
     * were in that step, since their states may be half updated; the worker survives, a request that
     * was waiting its turn is untouched, and later requests are served.
     */
    @Test
    void anErrorInAForwardStepFailsThatStepsRequestsAndTheSchedulerKeepsServing() throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("simulated");
        AtomicInteger stepsWithSeed7 = new AtomicInteger();
        BatchScheduler.Stepper failing = (batch, scratch) -> {
            if (batch.stream().anyMatch(s -> s.seed == 7) && stepsWithSeed7.incrementAndGet() == 20) {
                throw error;
            }
            generator.step(batch, scratch);
        };
        // One stream per step: the two requests take turns, so the failing step holds only one of them.
        try (BatchScheduler scheduler = new BatchScheduler(generator, 1, 64, failing)) {
            CountDownLatch hold = new CountDownLatch(1);
            CompletableFuture<List<Sample>> other = scheduler.submit(options(8, 300), (i, t) -> await(hold));
            CompletableFuture<List<Sample>> victim = scheduler.submit(options(7, 300), IGNORE);
            hold.countDown();
            assertThatThrownBy(() -> victim.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCause(error);
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(generator.generate(options(8, 300)));
            assertThat(scheduler.submit(options(9, 100), IGNORE).get(10, TimeUnit.SECONDS))
                    .isEqualTo(generator.generate(options(9, 100)));
            awaitNoPending(scheduler);
        }
    }

    @Test
    void aShutdownThatTimesOutCancelsWhatIsStillRunningOrWaiting() throws Exception {
        // Four endless samples through a batch of four: far more work than the one second allowed.
        BatchScheduler scheduler = new BatchScheduler(generator, 4, 8);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<List<Sample>> running = scheduler.submit(endless(1, 4), (i, t) -> started.countDown());
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<Sample>> waiting = scheduler.submit(endless(2, 4), IGNORE);
        assertThat(scheduler.shutdown(1)).as("finished in time").isFalse();
        for (CompletableFuture<List<Sample>> f : List.of(running, waiting)) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("shut down");
        }
        awaitNoPending(scheduler);
    }

    /**
     * A caller that passed the closing check while the worker was about to exit: its prime is
     * still being read when shutdown starts. It must be refused or served, never left waiting.
     */
    @Test
    void aRequestSubmittedAsTheWorkerExitsIsRefusedOrServedNeverLost() throws Exception {
        BatchScheduler scheduler = new BatchScheduler(generator, 4, 8);
        GenerationOptions longPrime = GenerationOptions.builder().prime("Masks are required. ".repeat(15_000))
                .length(10).seed(3L).build();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<CompletableFuture<List<Sample>>> submitted = caller.submit(() -> scheduler.submit(longPrime, IGNORE));
            Thread.sleep(200); // the prime takes about a second to read: shut down while it is read
            scheduler.shutdown(30);
            CompletableFuture<List<Sample>> result;
            try {
                result = submitted.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException refused) {
                assertThat(refused).hasCauseInstanceOf(RejectedExecutionException.class);
                return;
            }
            try {
                assertThat(result.get(10, TimeUnit.SECONDS)).hasSize(1);
            } catch (TimeoutException lost) {
                throw new AssertionError("an admitted request never completed after shutdown", lost);
            }
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void aCancelledRequestHoldsItsSlotUntilItsStreamsLeaveTheBatch() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 4, 1)) {
            CountDownLatch inStep = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<List<Sample>> endless = scheduler.submit(endless(1, 1), (i, t) -> {
                inStep.countDown();
                await(release);
            });
            assertThat(inStep.await(10, TimeUnit.SECONDS)).isTrue();
            BatchScheduler.cancel(endless);
            // The worker is still inside a step that advances the cancelled stream: no room yet.
            assertThatThrownBy(() -> scheduler.submit(options(2, 10), IGNORE))
                    .isInstanceOf(RejectedExecutionException.class);
            assertThat(scheduler.pendingRequests()).isEqualTo(1);
            release.countDown();
            awaitNoPending(scheduler);
            assertThat(scheduler.submit(options(2, 10), IGNORE).get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    /**
     * Issue 19: many clients asking for long samples must not make a short request wait for them.
     * Ten requests of 4 endless samples fill the batch of 8 five times over; the short one still
     * finishes while every long one is running, with the text it gets alone.
     */
    @Test
    void aShortRequestFinishesWhileManyLongOnesAreStillRunning() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 8, 64)) {
            CountDownLatch hold = new CountDownLatch(1);
            List<CompletableFuture<List<Sample>>> longs = new ArrayList<>();
            longs.add(scheduler.submit(endless(100, 4), (i, t) -> await(hold)));
            for (long seed = 1; seed < 10; seed++) {
                longs.add(scheduler.submit(endless(100 + 10 * seed, 4), IGNORE));
            }
            CompletableFuture<List<Sample>> shortOne = scheduler.submit(options(99, 20), IGNORE);
            hold.countDown();
            List<Sample> samples = shortOne.get(30, TimeUnit.SECONDS); // a hang guard, not a speed limit
            for (CompletableFuture<List<Sample>> f : longs) {
                assertThat(f).as("long request").isNotDone();
            }
            assertThat(samples).isEqualTo(generator.generate(options(99, 20)));
            longs.forEach(BatchScheduler::cancel);
            awaitNoPending(scheduler);
        }
    }

    @Test
    void anOwnerHoldsAtMostItsCapOfSamplesAndOthersAreNotHeldBack() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler(generator, 8, 64, 8)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<List<Sample>> first = scheduler.submit("10.0.0.1", endless(1, 4), (i, t) -> await(release));
            CompletableFuture<List<Sample>> second = scheduler.submit("10.0.0.1", endless(5, 4), IGNORE);
            assertThat(scheduler.streamsHeldBy("10.0.0.1")).isEqualTo(8);
            assertThatThrownBy(() -> scheduler.submit("10.0.0.1", options(9, 10), IGNORE))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessage("'10.0.0.1' already has 8 samples in progress (at most 8)");
            assertThatThrownBy(() -> scheduler.submit("10.0.0.2", endless(9, 9), IGNORE))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessage("a request may have at most 8 samples here, this one asks for 9");
            CompletableFuture<List<Sample>> other = scheduler.submit("10.0.0.2", options(9, 30), IGNORE);
            release.countDown();
            assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo(generator.generate(options(9, 30)));
            assertThat(first).isNotDone();
            BatchScheduler.cancel(first);
            awaitHeld(scheduler, "10.0.0.1", 4);
            assertThat(scheduler.submit("10.0.0.1", options(9, 10), IGNORE).get(10, TimeUnit.SECONDS)).hasSize(1);
            BatchScheduler.cancel(second);
            awaitHeld(scheduler, "10.0.0.1", 0);
            assertThat(scheduler.streamsHeldBy("10.0.0.2")).isZero();
        }
    }

    private static void awaitHeld(BatchScheduler scheduler, String owner, int streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.streamsHeldBy(owner) != streams && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(scheduler.streamsHeldBy(owner)).isEqualTo(streams);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
