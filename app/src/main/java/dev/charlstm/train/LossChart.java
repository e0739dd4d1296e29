package dev.charlstm.train;

import dev.charlstm.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws training and validation loss against iterations as {@code loss.png}: redrawn at every
 * checkpoint, so the chart shows a run in progress too, and at the end.
 */
final class LossChart implements TrainingListener {

    private static final Logger log = LoggerFactory.getLogger(LossChart.class);

    private final Path png;
    private final String title;

    LossChart(Path png, String title) {
        this.png = png;
        this.title = title;
    }

    @Override
    public void onValidation(TrainingState state, double valLoss, boolean checkpointed) {
        if (checkpointed) {
            redraw(state);
        }
    }

    @Override
    public void onEnd(TrainingState state, Trainer.Outcome outcome) {
        redraw(state);
    }

    /** Draws the chart; a chart that cannot be drawn is a warning, never the end of a run. */
    void redraw(TrainingState state) {
        try {
            write(png, state, title);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not draw {}: {}", png, e.toString());
        }
    }

    /** Draws the curves of {@code state} into {@code png}, replacing it atomically. */
    static void write(Path png, TrainingState state, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("iteration").yAxisTitle("loss (nats per character)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        List<TrainingState.Point> curve = state.trainCurve;
        if (!curve.isEmpty()) {
            XYSeries train = chart.addSeries("training (per iteration)",
                    curve.stream().mapToDouble(TrainingState.Point::iteration).toArray(),
                    curve.stream().mapToDouble(TrainingState.Point::loss).toArray());
            train.setMarker(SeriesMarkers.NONE);
            train.setLineColor(new Color(120, 160, 220));
            train.setLineStyle(new BasicStroke(1f));
        }
        List<TrainingState.Evaluation> evals = state.evaluations;
        if (!evals.isEmpty()) {
            XYSeries val = chart.addSeries("validation",
                    evals.stream().mapToDouble(TrainingState.Evaluation::iteration).toArray(),
                    evals.stream().mapToDouble(TrainingState.Evaluation::valLoss).toArray());
            val.setMarker(SeriesMarkers.CIRCLE);
            val.setLineColor(new Color(220, 90, 40));
            val.setMarkerColor(new Color(220, 90, 40));
            val.setLineStyle(new BasicStroke(2f));
        }
        if (curve.isEmpty() && evals.isEmpty()) {
            chart.addSeries("no data yet", new double[] {0}, new double[] {0});
        }
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
