package dev.charlstm.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntSupplier;

/** What {@code GET /metrics} reports, in the Prometheus text format. */
final class ServiceMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("charlstm_requests_total")
            .help("HTTP requests by endpoint and status").labelNames("endpoint", "status").register(registry);
    private final Counter errors = Counter.builder().name("charlstm_errors_total")
            .help("Requests answered with a 4xx or 5xx status").labelNames("endpoint", "code").register(registry);
    private final Counter characters = Counter.builder().name("charlstm_generated_characters_total")
            .help("Characters generated").labelNames("model").register(registry);
    private final Histogram latency = Histogram.builder().name("charlstm_request_duration_seconds")
            .help("Time from request to last byte").labelNames("endpoint")
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);

    ServiceMetrics(IntSupplier activeStreams, IntSupplier streamingResponses, IntSupplier pendingRequests) {
        GaugeWithCallback.builder().name("charlstm_active_streams")
                .help("Samples advanced in the latest forward step, all models")
                .callback(cb -> cb.call(activeStreams.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("charlstm_open_event_streams")
                .help("Server-sent event responses in progress")
                .callback(cb -> cb.call(streamingResponses.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("charlstm_pending_requests")
                .help("Generation requests admitted and not finished, all models")
                .callback(cb -> cb.call(pendingRequests.getAsInt())).register(registry);
    }

    void request(String endpoint, int status, double seconds) {
        requests.labelValues(endpoint, String.valueOf(status)).inc();
        latency.labelValues(endpoint).observe(seconds);
    }

    void error(String endpoint, String code) {
        errors.labelValues(endpoint, code).inc();
    }

    void generated(String model, long chars) {
        characters.labelValues(model).inc(chars);
    }

    void write(OutputStream out) throws IOException {
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
