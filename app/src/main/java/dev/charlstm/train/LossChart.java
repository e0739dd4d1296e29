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
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws training and validation loss against iterations as {@code loss.png}. */
final class LossChart {

    private LossChart() {}

    static void write(Path png, TrainingState state, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("iteration").yAxisTitle("loss (nats per character)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
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
