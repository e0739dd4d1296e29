package dev.charlstm.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates for many callers at once with continuous batching: one worker thread advances every
 * active sample of every request by one character per forward step, requests join the batch as
 * they arrive and leave it as they finish.
 *
 * <p>Each request's prime is read on the caller's thread, so primes of different lengths never
 * hold up the batch. Every sample keeps its own state and random numbers, so a request with a
 * fixed seed gets exactly the text it would get from {@link Generator#generate} alone, however many
 * others share its steps.
 *
 * <pre>{@code
 * try (BatchScheduler scheduler = new BatchScheduler(generator, 64, 256)) {
 *     CompletableFuture<List<Sample>> result = scheduler.submit(options, (i, text) -> send(text));
 *     List<Sample> samples = result.join();
 * }
 * }</pre>
 */
public final class BatchScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchScheduler.class);

    private final Generator generator;
    private final int maxBatch;
    private final int maxQueued;
    private final BlockingQueue<Request> incoming = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread worker;
    private volatile boolean closing;
    private volatile int activeStreams;

    /** A submitted request: its streams and the future its caller waits on. */
    private record Request(Generator.Prepared prepared, CompletableFuture<List<Sample>> result) {
        boolean finished() {
            return prepared.streams().stream().allMatch(SampleStream::done);
        }
    }

    /**
     * @param maxBatch  most samples advanced in one forward step
     * @param maxQueued most requests admitted (running or waiting) before {@link #submit} refuses
     */
    public BatchScheduler(Generator generator, int maxBatch, int maxQueued) {
        if (maxBatch < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("maxBatch and maxQueued must be positive");
        }
        this.generator = generator;
        this.maxBatch = maxBatch;
        this.maxQueued = maxQueued;
        this.worker = new Thread(this::run, "charlstm-batch");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues a request; the future completes with its samples, or exceptionally when it is
     * cancelled with {@link #cancel} or the scheduler closes first.
     *
     * @throws RejectedExecutionException when {@code maxQueued} requests are already admitted, or
     *     the scheduler is closing: the caller should retry later
     * @throws IllegalArgumentException for a prime the model cannot read
     */
    public CompletableFuture<List<Sample>> submit(GenerationOptions options, Generator.StreamListener listener) {
        if (closing) {
            throw new RejectedExecutionException("shutting down");
        }
        if (pending.incrementAndGet() > maxQueued) {
            pending.decrementAndGet();
            throw new RejectedExecutionException("too many requests in progress (" + maxQueued + ")");
        }
        Request request;
        try {
            request = new Request(generator.prepare(options, listener), new CompletableFuture<>());
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
        request.result().whenComplete((samples, error) -> pending.decrementAndGet());
        incoming.add(request);
        return request.result();
    }

    /** Stops the samples of a request early (a client went away); its future completes exceptionally. */
    public static void cancel(CompletableFuture<List<Sample>> result) {
        result.cancel(false);
    }

    /** Requests admitted and not yet finished. */
    public int pendingRequests() {
        return pending.get();
    }

    /** Samples advanced in the latest forward step. */
    public int activeStreams() {
        return activeStreams;
    }

    private void run() {
        List<Request> running = new ArrayList<>();
        List<SampleStream> batch = new ArrayList<>();
        CharLstm.Scratch scratch = generator.scratch(maxBatch);
        while (true) {
            try {
                if (running.isEmpty()) {
                    if (closing && incoming.isEmpty()) {
                        return;
                    }
                    Request first = incoming.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    running.add(first);
                }
                admit(running);
                batch.clear();
                for (Request r : running) {
                    if (r.result().isCancelled()) {
                        r.prepared().streams().forEach(SampleStream::cancel);
                    }
                    for (SampleStream s : r.prepared().streams()) {
                        if (!s.done() && batch.size() < maxBatch) {
                            batch.add(s);
                        }
                    }
                }
                activeStreams = batch.size();
                generator.step(batch, scratch);
                running.removeIf(this::completeIfFinished);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.result().completeExceptionally(e));
                return;
            } catch (RuntimeException e) {
                // A listener failing (a client write error) must not take the other requests down.
                log.warn("Batch step failed; failing its requests", e);
                running.forEach(r -> r.result().completeExceptionally(e));
                running.clear();
            }
        }
    }

    /** Moves waiting requests into the batch while there is room for their samples. */
    private void admit(List<Request> running) {
        int streams = running.stream().mapToInt(r -> (int) r.prepared().streams().stream()
                .filter(s -> !s.done()).count()).sum();
        Request next;
        while (streams < maxBatch && (next = incoming.peek()) != null) {
            incoming.poll();
            running.add(next);
            streams += next.prepared().streams().size();
        }
    }

    private boolean completeIfFinished(Request r) {
        if (!r.finished()) {
            return false;
        }
        if (r.prepared().streams().stream().anyMatch(SampleStream::cancelled)) {
            r.result().cancel(false);
        } else {
            r.result().complete(r.prepared().samples());
        }
        return true;
    }

    /**
     * Stops accepting requests and waits up to {@code seconds} for those admitted to finish;
     * whatever is still running then is cancelled.
     *
     * @return true when everything finished in time
     */
    public boolean shutdown(long seconds) throws InterruptedException {
        closing = true;
        worker.join(TimeUnit.SECONDS.toMillis(seconds));
        if (worker.isAlive()) {
            worker.interrupt();
            worker.join(1000);
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        try {
            shutdown(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
