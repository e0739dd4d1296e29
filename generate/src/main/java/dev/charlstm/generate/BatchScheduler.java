package dev.charlstm.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generates for many callers at once with continuous batching: one worker thread advances up to
 * {@code maxBatch} samples by one character per forward step; requests join as they arrive and
 * leave as they finish.
 *
 * <p>Each request's prime is read on the caller's thread, so primes of different lengths never
 * hold up the batch. Every sample keeps its own state and random numbers, so a request with a
 * fixed seed gets exactly the text it would get from {@link Generator#generate} alone, however many
 * others share its steps and whichever steps it is given.
 *
 * <p><b>Fairness.</b> Every admitted request is in the batch at once. When they hold more unfinished
 * samples than one step takes, the step is shared equally between requests, not between samples:
 * a request of one sample advances every step as long as fewer than {@code maxBatch} requests run,
 * however many samples the others have, and leftover places rotate from step to step. So a short
 * request is never queued behind long ones. To bound what one client holds, pass an owner to
 * {@link #submit(String, GenerationOptions, Generator.StreamListener)} and a per-owner sample cap to
 * the constructor.
 *
 * <p><b>Failures.</b> A listener that throws fails its own request only. Any other exception or
 * {@link Error} in a forward step fails the requests that had samples in that step (their states
 * may be half updated) and the worker carries on with the rest: a dead worker would leave every
 * later request waiting forever, which is worse than losing the requests of one step.
 *
 * <pre>{@code
 * try (BatchScheduler scheduler = new BatchScheduler(generator, 64, 256, 64)) {
 *     CompletableFuture<List<Sample>> result = scheduler.submit(clientAddress, options, (i, text) -> send(text));
 *     List<Sample> samples = result.join();
 * }
 * }</pre>
 */
public final class BatchScheduler implements AutoCloseable {

    /*
     * The JDK's System.Logger, so the library needs no logging jar: it goes to java.util.logging
     * by default, and an application that installs a bridge (the charlstm app ships
     * slf4j-jdk-platform-logging) sees it in its own logs.
     */
    private static final System.Logger log = System.getLogger(BatchScheduler.class.getName());

    /** One forward step over a batch: the generator's, or a test's that fails on purpose. */
    @FunctionalInterface
    interface Stepper {
        void step(List<SampleStream> batch, CharLstm.Scratch scratch);
    }

    private final Generator generator;
    private final Stepper stepper;
    private final int maxBatch;
    private final int maxQueued;
    private final int maxStreamsPerOwner;
    private final BlockingQueue<Request> incoming = new LinkedBlockingQueue<>();
    /** Requests admitted and not yet out of the batch, including those whose prime is being read. */
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> ownerStreams = new ConcurrentHashMap<>();
    private final Thread worker;
    private volatile boolean closing;
    /** Set when shutdown's wait ran out: the worker cancels everything it holds. */
    private volatile boolean abandoning;
    /** Set when the worker has stopped, for good. */
    private volatile boolean exited;
    private volatile int activeStreams;
    private volatile int widestStep;

    /** A submitted request: its streams, the future its caller waits on, and its share bookkeeping. */
    private static final class Request {
        final Generator.Prepared prepared;
        final CompletableFuture<List<Sample>> result;
        final GuardedListener listener;
        final String owner;
        final int streams;
        /** Where the next step starts looking for this request's streams, so they take turns. */
        int cursor;
        int scan;
        int undone;
        int taken;

        Request(Generator.Prepared prepared, CompletableFuture<List<Sample>> result, GuardedListener listener,
                String owner) {
            this.prepared = prepared;
            this.result = result;
            this.listener = listener;
            this.owner = owner;
            this.streams = prepared.streams().size();
        }

        List<SampleStream> streamList() {
            return prepared.streams();
        }
    }

    /**
     * Keeps a caller's listener from hurting anyone else: what it throws is kept, to fail its own
     * request after the step, and once its request is over (cancelled, failed) it hears no more.
     */
    private static class GuardedListener implements Generator.StreamListener {
        private final Generator.StreamListener delegate;
        private final CompletableFuture<?> result;
        Throwable failure;

        GuardedListener(Generator.StreamListener delegate, CompletableFuture<?> result) {
            this.delegate = delegate;
            this.result = result;
        }

        /** A guard of the listener's own kind: one that wants log-probabilities keeps getting them. */
        static GuardedListener of(Generator.StreamListener delegate, CompletableFuture<?> result) {
            return delegate instanceof LogProbListener logProbs ? new GuardedLogProbs(logProbs, result)
                    : new GuardedListener(delegate, result);
        }

        boolean silenced() {
            return failure != null || result.isDone();
        }

        @Override
        public void onText(int sample, String text) {
            if (failure != null || result.isDone()) {
                return;
            }
            try {
                delegate.onText(sample, text);
            } catch (RuntimeException | Error e) {
                // Even an Error: it came from this caller's code, and it is this request that fails.
                failure = e;
            }
        }
    }

    /** {@link GuardedListener} for a {@link LogProbListener}. */
    private static final class GuardedLogProbs extends GuardedListener implements LogProbListener {
        private final LogProbListener logProbs;

        GuardedLogProbs(LogProbListener delegate, CompletableFuture<?> result) {
            super(delegate, result);
            this.logProbs = delegate;
        }

        @Override
        public int topLogProbs() {
            return logProbs.topLogProbs();
        }

        @Override
        public void onText(int sample, String text) {
            super.onText(sample, text);
        }

        @Override
        public void onText(int sample, String text, List<CharLogProbs> probabilities) {
            if (silenced()) {
                return;
            }
            try {
                logProbs.onText(sample, text, probabilities);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }
    }

    /**
     * A scheduler without a per-owner cap.
     *
     * @param maxBatch  most samples advanced in one forward step
     * @param maxQueued most requests admitted (running or having their prime read) before {@link #submit} refuses
     */
    public BatchScheduler(Generator generator, int maxBatch, int maxQueued) {
        this(generator, maxBatch, maxQueued, Integer.MAX_VALUE);
    }

    /**
     * @param maxBatch           most samples advanced in one forward step
     * @param maxQueued          most requests admitted (running or having their prime read) before
     *                           {@link #submit} refuses
     * @param maxStreamsPerOwner most unfinished samples the requests of one owner (see
     *                           {@link #submit(String, GenerationOptions, Generator.StreamListener)}) may hold
     */
    public BatchScheduler(Generator generator, int maxBatch, int maxQueued, int maxStreamsPerOwner) {
        this(generator, maxBatch, maxQueued, maxStreamsPerOwner, generator::step);
    }

    BatchScheduler(Generator generator, int maxBatch, int maxQueued, Stepper stepper) {
        this(generator, maxBatch, maxQueued, Integer.MAX_VALUE, stepper);
    }

    private BatchScheduler(Generator generator, int maxBatch, int maxQueued, int maxStreamsPerOwner,
                           Stepper stepper) {
        if (maxBatch < 1 || maxQueued < 1 || maxStreamsPerOwner < 1) {
            throw new IllegalArgumentException("maxBatch, maxQueued and maxStreamsPerOwner must be positive");
        }
        this.generator = generator;
        this.stepper = stepper;
        this.maxBatch = maxBatch;
        this.maxQueued = maxQueued;
        this.maxStreamsPerOwner = maxStreamsPerOwner;
        this.worker = new Thread(this::run, "charlstm-batch");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues a request with no owner (no per-owner cap); see
     * {@link #submit(String, GenerationOptions, Generator.StreamListener)}.
     */
    public CompletableFuture<List<Sample>> submit(GenerationOptions options, Generator.StreamListener listener) {
        return submit(null, options, listener);
    }

    /**
     * Queues a request; the future completes with its samples, or exceptionally when its listener
     * throws (with what it threw), when it is cancelled with {@link #cancel}, or when a timed-out
     * {@link #shutdown} cancels it ({@link CancellationException}).
     *
     * @param owner    who asks, e.g. a client's address or token; its requests together may hold at
     *                 most {@code maxStreamsPerOwner} unfinished samples. Null for no cap.
     * @param listener hears text as it is generated, on the scheduler's thread; it should not block
     * @throws RejectedExecutionException when {@code maxQueued} requests are already admitted, the
     *     owner would hold more than its cap, or the scheduler is closing: the caller should retry later
     * @throws IllegalArgumentException for a prime the model cannot read
     */
    public CompletableFuture<List<Sample>> submit(String owner, GenerationOptions options,
                                                  Generator.StreamListener listener) {
        // Counted before the closing check: a worker deciding to exit sees either this count or
        // (through closing) makes this caller refuse, so no request is admitted that nobody serves.
        int admitted = pending.incrementAndGet();
        if (closing) {
            pending.decrementAndGet();
            throw new RejectedExecutionException("shutting down");
        }
        if (admitted > maxQueued) {
            pending.decrementAndGet();
            throw new RejectedExecutionException("too many requests in progress (" + maxQueued + ")");
        }
        int count = options.count();
        if (owner != null && !reserve(owner, count)) {
            pending.decrementAndGet();
            throw new RejectedExecutionException(count > maxStreamsPerOwner
                    ? "a request may have at most " + maxStreamsPerOwner + " samples here, this one asks for " + count
                    : "'" + owner + "' already has " + streamsHeldBy(owner) + " samples in progress (at most "
                            + maxStreamsPerOwner + ")");
        }
        Request request;
        try {
            CompletableFuture<List<Sample>> result = new CompletableFuture<>();
            GuardedListener guarded = GuardedListener.of(listener, result);
            request = new Request(generator.prepare(options, guarded), result, guarded, owner);
        } catch (RuntimeException | Error e) {
            releaseCounts(owner, count);
            throw e;
        }
        incoming.add(request);
        if (exited) {
            // The worker died after this caller was admitted; it may have drained the queue before
            // this request arrived, so fail it here rather than leave it waiting.
            drainIncoming("the scheduler has stopped");
        }
        return request.result;
    }

    /**
     * Stops the samples of a request early (a client went away); its future completes exceptionally
     * at once, and its place counts against {@code maxQueued} until its samples have left the batch.
     */
    public static void cancel(CompletableFuture<List<Sample>> result) {
        result.cancel(false);
    }

    /** Requests admitted and not yet out of the batch. */
    public int pendingRequests() {
        return pending.get();
    }

    /** Samples advanced in the latest forward step; 0 when nothing is running. */
    public int activeStreams() {
        return activeStreams;
    }

    /** The most samples ever advanced together in one forward step of this scheduler. */
    public int widestStep() {
        return widestStep;
    }

    /** Unfinished samples held by the requests of {@code owner}. */
    public int streamsHeldBy(String owner) {
        return ownerStreams.getOrDefault(owner, 0);
    }

    private boolean reserve(String owner, int count) {
        boolean[] reserved = {false};
        ownerStreams.compute(owner, (key, held) -> {
            int h = held == null ? 0 : held;
            if ((long) h + count > maxStreamsPerOwner) {
                return held;
            }
            reserved[0] = true;
            return h + count;
        });
        return reserved[0];
    }

    private void releaseCounts(String owner, int count) {
        if (owner != null) {
            ownerStreams.computeIfPresent(owner, (key, held) -> held - count <= 0 ? null : held - count);
        }
        pending.decrementAndGet();
    }

    // ---- the worker ------------------------------------------------------------------------

    private void run() {
        List<Request> running = new ArrayList<>();
        List<Request> inStep = new ArrayList<>();
        List<SampleStream> batch = new ArrayList<>();
        try {
            CharLstm.Scratch scratch = generator.scratch(maxBatch);
            while (true) {
                inStep.clear();
                try {
                    if (abandoning) {
                        running.forEach(r -> fail(r, shutDown()));
                        running.clear();
                        drainIncoming("the scheduler shut down before the request finished");
                    }
                    for (Request r; (r = incoming.poll()) != null; ) {
                        running.add(r);
                    }
                    running.removeIf(this::retireIfOver);
                    if (running.isEmpty()) {
                        activeStreams = 0;
                        // pending also counts callers still reading their prime: they will arrive.
                        if (closing && pending.get() == 0) {
                            return;
                        }
                        Request next = incoming.poll(100, TimeUnit.MILLISECONDS);
                        if (next != null) {
                            running.add(next);
                        }
                        continue;
                    }
                    select(running, batch, inStep);
                    activeStreams = batch.size();
                    widestStep = Math.max(widestStep, batch.size());
                    stepper.step(batch, scratch);
                    running.removeIf(this::retireIfOver);
                } catch (InterruptedException e) {
                    // Only shutdown interrupts, after setting abandoning: the next pass acts on it.
                } catch (RuntimeException | Error e) {
                    List<Request> affected = inStep.isEmpty() ? new ArrayList<>(running) : new ArrayList<>(inStep);
                    log.log(System.Logger.Level.ERROR, "Batch step failed; failing the " + affected.size()
                            + " request(s) in it and carrying on", e);
                    for (Request r : affected) {
                        fail(r, e);
                    }
                    running.removeAll(affected);
                }
            }
        } finally {
            exited = true;
            closing = true;
            // Only a failure while handling a failure gets here with work left; leave nobody waiting.
            for (Request r : running) {
                if (!r.result.isDone()) {
                    fail(r, new CancellationException("the scheduler has stopped"));
                } else {
                    releaseCounts(r.owner, r.streams);
                }
            }
            drainIncoming("the scheduler has stopped");
        }
    }

    private static CancellationException shutDown() {
        return new CancellationException("the scheduler shut down before the request finished");
    }

    private void drainIncoming(String why) {
        for (Request r; (r = incoming.poll()) != null; ) {
            fail(r, new CancellationException(why));
        }
    }

    /** Fails a request that leaves the batch now: its streams stop and its counts are released. */
    private void fail(Request r, Throwable error) {
        r.streamList().forEach(SampleStream::cancel);
        releaseCounts(r.owner, r.streams);
        r.result.completeExceptionally(error);
    }

    /**
     * Takes a request out if it is over: cancelled by its caller, its listener failed, or every
     * sample done. Its counts are released only here, once none of its streams can be in a step.
     */
    private boolean retireIfOver(Request r) {
        // The counts go back before the caller hears: a caller that has its answer and submits
        // again at once must find its place free (the service answers from the completion).
        if (r.result.isDone()) {
            r.streamList().forEach(SampleStream::cancel);
            releaseCounts(r.owner, r.streams);
        } else if (r.listener.failure != null) {
            r.streamList().forEach(SampleStream::cancel);
            releaseCounts(r.owner, r.streams);
            r.result.completeExceptionally(r.listener.failure);
        } else if (r.streamList().stream().allMatch(SampleStream::done)) {
            releaseCounts(r.owner, r.streams);
            r.result.complete(r.prepared.samples());
        } else {
            return false;
        }
        return true;
    }

    /**
     * Chooses the streams of the next step: in rounds, one more unfinished stream from each request
     * that has one, until {@code maxBatch} are chosen. A request's streams take turns from step to
     * step, and when the places run out mid-round the requests after the last one served go first
     * in the next step, so over a few steps every request gets the same share.
     */
    private void select(List<Request> running, List<SampleStream> batch, List<Request> inStep) {
        batch.clear();
        int unfinished = 0;
        for (Request r : running) {
            r.undone = 0;
            for (SampleStream s : r.streamList()) {
                r.undone += s.done() ? 0 : 1;
            }
            r.taken = 0;
            r.scan = r.cursor;
            unfinished += r.undone;
        }
        int target = Math.min(maxBatch, unfinished);
        int lastServed = -1;
        while (batch.size() < target) {
            for (int j = 0; j < running.size() && batch.size() < target; j++) {
                Request r = running.get(j);
                if (r.taken == r.undone) {
                    continue;
                }
                List<SampleStream> streams = r.streamList();
                while (streams.get(r.scan).done()) {
                    r.scan = (r.scan + 1) % streams.size();
                }
                batch.add(streams.get(r.scan));
                r.scan = (r.scan + 1) % streams.size();
                if (r.taken++ == 0) {
                    inStep.add(r);
                }
                lastServed = j;
            }
        }
        for (Request r : running) {
            r.cursor = r.scan;
        }
        if (unfinished > maxBatch && lastServed >= 0) {
            Collections.rotate(running, -(lastServed + 1));
        }
    }

    /**
     * Stops accepting requests and waits up to {@code seconds} for those admitted to finish (a
     * caller still reading its prime counts as admitted); whatever is still running or waiting then
     * is cancelled, its future failing with a {@link CancellationException}.
     *
     * @return true when everything finished in time
     */
    public boolean shutdown(long seconds) throws InterruptedException {
        closing = true;
        try {
            long millis = TimeUnit.SECONDS.toMillis(Math.max(0, seconds));
            if (millis > 0) { // join(0) would wait forever
                worker.join(millis);
            }
        } catch (InterruptedException e) {
            abandoning = true;
            worker.interrupt();
            throw e;
        }
        if (worker.isAlive()) {
            abandoning = true;
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
