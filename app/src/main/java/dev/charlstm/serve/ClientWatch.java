package dev.charlstm.serve;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that the client of a plain (not streamed) request has hung up while its text is still
 * being generated, so that the work can be cancelled.
 *
 * <p>While a request waits for its response, Jetty does not read from the connection, so it never
 * learns of a close or a reset. Every {@link #PERIOD_MS} this reads the connection without
 * blocking: end of stream or an error means the client is gone. A well-behaved HTTP/1.1 client
 * sends nothing while it waits; should one pipeline its next request, the bytes are handed back to
 * the connection for Jetty to parse after this response, and that request is no longer watched.
 */
final class ClientWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);
    static final long PERIOD_MS = 200;

    /** A watched request: the connection and what to do when its client has gone. */
    private static final class Watched {
        final EndPoint endPoint;
        final Connection connection;
        final Runnable onGone;
        boolean stopped; // guarded by this; once stopped the connection is Jetty's alone again

        Watched(EndPoint endPoint, Connection connection, Runnable onGone) {
            this.endPoint = endPoint;
            this.connection = connection;
            this.onGone = onGone;
        }
    }

    private final Map<Object, Watched> watched = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "charlstm-client-watch");
        t.setDaemon(true);
        return t;
    });

    ClientWatch() {
        timer.scheduleWithFixedDelay(this::check, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts watching the connection of {@code request}; {@code onGone} runs at most once. */
    void watch(Object key, HttpServletRequest request, Runnable onGone) {
        Request base = Request.getBaseRequest(request);
        if (base == null || base.getHttpChannel() == null) {
            return; // not a Jetty HTTP/1 request: nothing to watch
        }
        watched.put(key, new Watched(base.getHttpChannel().getEndPoint(), base.getHttpChannel().getConnection(),
                onGone));
    }

    /**
     * Stops watching; must be called before the response is written, since from then on Jetty
     * reads the connection itself.
     */
    void unwatch(Object key) {
        Watched w = watched.remove(key);
        if (w != null) {
            synchronized (w) {
                w.stopped = true;
            }
        }
    }

    int size() {
        return watched.size();
    }

    private void check() {
        for (Map.Entry<Object, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            boolean gone;
            synchronized (w) {
                if (w.stopped) {
                    continue;
                }
                gone = probe(w);
            }
            if (gone) {
                watched.remove(e.getKey());
                try {
                    w.onGone.run();
                } catch (RuntimeException ex) {
                    log.warn("Cancelling the work of a departed client failed", ex);
                }
            }
        }
    }

    /** True when the client has closed or reset the connection. */
    private boolean probe(Watched w) {
        if (!w.endPoint.isOpen() || w.endPoint.isInputShutdown()) {
            return true;
        }
        ByteBuffer buffer = BufferUtil.allocate(4096);
        try {
            int n = w.endPoint.fill(buffer);
            if (n < 0) {
                return true;
            }
            if (n > 0) {
                // A pipelined request: give it back and stop reading this connection.
                if (w.connection instanceof HttpConnection http) {
                    http.onUpgradeTo(buffer);
                }
                w.stopped = true;
            }
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
