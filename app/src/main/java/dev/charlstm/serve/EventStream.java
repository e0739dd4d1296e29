package dev.charlstm.serve;

import dev.charlstm.io.Json;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One server-sent-event response (or, with {@link #endWith}, a whole JSON body), written with the
 * servlet's non-blocking output so that no thread waits for a slow client.
 *
 * <p>Events are queued by whoever produces them (the batch scheduler's thread) and written by a
 * task on {@code executor}: the batch never waits for a socket, nor pays for JSON. Every write is
 * flushed at once. While a flush is still on its way to the client, further events wait in the
 * queue and go out together in the next write (one at a time in the {@link Style#OPENAI} style), so
 * a client is never more than one write behind and an idle or slow one costs a queue, not a thread.
 */
final class EventStream implements WriteListener {

    /** How events are framed and written. */
    enum Style {
        /** {@code event: NAME} and {@code data: JSON}; events queued during a write go out together. */
        CHARLSTM,
        /**
         * OpenAI's: {@code data: JSON} alone, and each event its own write and flush, so that every
         * event leaves in a chunk of its own as soon as the one before it is out.
         */
        OPENAI
    }

    /** Bytes still to be encoded: the encoding runs on the writer's thread. */
    private record Pending(Supplier<byte[]> bytes) {}

    private final Executor executor;
    private final Consumer<Throwable> onClientGone;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final Queue<Pending> queue = new ArrayDeque<>(); // guarded by this
    private ServletOutputStream out;                          // guarded by this
    private boolean writable;    // the servlet has called onWritePossible at least once
    private boolean scheduled;   // a write task is queued on the executor
    private boolean flushNeeded; // bytes written since the last flush
    private boolean ending;      // the last event is queued; nothing more is accepted
    private boolean closed;      // finished or failed
    private long bytes;

    private final boolean headersFirst;
    private final Style style;

    /**
     * @param headersFirst send the status and headers as soon as the response is open, before
     *                     any event: a client of a stream learns at once that it was admitted
     */
    EventStream(Executor executor, Consumer<Throwable> onClientGone, boolean headersFirst) {
        this(executor, onClientGone, headersFirst, Style.CHARLSTM);
    }

    EventStream(Executor executor, Consumer<Throwable> onClientGone, boolean headersFirst, Style style) {
        this.executor = executor;
        this.onClientGone = onClientGone;
        this.headersFirst = headersFirst;
        this.style = style;
    }

    /** Completes when the last event has been flushed, or the client has gone. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    /** Starts writing to {@code output}; call once the request is asynchronous. */
    void open(ServletOutputStream output) {
        synchronized (this) {
            out = output;
            flushNeeded = headersFirst;
        }
        output.setWriteListener(this); // the servlet calls onWritePossible when it may be written to
    }

    /**
     * Queues an event; {@code data} is turned into JSON later, on the writer's thread. The name is
     * not written in the {@link Style#OPENAI} style.
     */
    void send(String event, Supplier<Object> data) {
        enqueue(new Pending(() -> encode(event, data.get())), false);
    }

    /** Queues the last event. Later calls of {@link #send} or {@link #end} are ignored. */
    boolean end(String event, Supplier<Object> data) {
        return enqueue(new Pending(() -> encode(event, data.get())), true);
    }

    /** Queues the last bytes of the response, as they are. */
    boolean endWith(byte[] body) {
        return enqueue(new Pending(() -> body), true);
    }

    private byte[] encode(String event, Object data) {
        String name = style == Style.OPENAI ? "" : "event: " + event + "\n";
        return (name + "data: " + Json.write(data) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    synchronized boolean isEnding() {
        return ending || closed;
    }

    synchronized long bytesWritten() {
        return bytes;
    }

    private boolean enqueue(Pending p, boolean last) {
        synchronized (this) {
            if (ending || closed) {
                return false;
            }
            queue.add(p);
            ending = last;
            if (scheduled || !writable) {
                return true;
            }
            scheduled = true;
        }
        executor.execute(this::pump);
        return true;
    }

    @Override
    public void onWritePossible() {
        synchronized (this) {
            writable = true;
            scheduled = false;
        }
        pump();
    }

    @Override
    public void onError(Throwable t) {
        fail(t);
    }

    /** Writes what is queued while the output accepts bytes without blocking. */
    private void pump() {
        boolean done = false;
        try {
            synchronized (this) {
                scheduled = false;
                if (closed || out == null || !writable) {
                    return;
                }
                while (out.isReady()) {
                    if (flushNeeded) {
                        flushNeeded = false;
                        out.flush();
                        continue;
                    }
                    if (queue.isEmpty()) {
                        if (ending) {
                            closed = true;
                            done = true;
                        }
                        break;
                    }
                    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
                    for (Pending p; (p = queue.poll()) != null; ) {
                        chunk.writeBytes(p.bytes().get());
                        if (style == Style.OPENAI) {
                            break; // the next event waits for this one's flush
                        }
                    }
                    bytes += chunk.size();
                    out.write(chunk.toByteArray());
                    flushNeeded = true;
                }
                // Not ready: the servlet calls onWritePossible once the pending bytes are out.
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            return;
        }
        if (done) {
            finished.complete(null);
        }
    }

    private void fail(Throwable t) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        try {
            onClientGone.accept(t);
        } finally {
            finished.complete(null);
        }
    }
}
