package dev.charlstm.generate;

import dev.charlstm.testing.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.TinyModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another JVM program can use charlstm through Maven alone: {@code mvn install} puts the artifact in
 * the local repository, and {@code examples/library-demo}, which depends on nothing else, loads a
 * model and prints what the library generates in-process.
 */
class ExternalProgramIT {

    @TempDir
    Path dir;

    @Test
    void installedArtifactLoadsAModelInASeparateProject() throws Exception {
        // Install from a copy, so the nested build never touches the classes this test runs from.
        Path project = dir.resolve("charlstm");
        for (String module : List.of("generate", "app")) {
            copy(Fixtures.PROJECT.resolve(module).resolve("pom.xml"), project.resolve(module).resolve("pom.xml"));
            copyTree(Fixtures.PROJECT.resolve(module).resolve("src/main"), project.resolve(module).resolve("src/main"));
        }
        copy(Fixtures.PROJECT.resolve("pom.xml"), project.resolve("pom.xml"));
        copyTree(Fixtures.PROJECT.resolve(".mvn"), project.resolve(".mvn"));
        copyTree(Fixtures.PROJECT.resolve("config"), project.resolve("config"));
        run(project, "mvn", "-B", "-q", "install", "-Dmaven.test.skip=true", "-Ddistribution.skip=true");

        Path model = dir.resolve("model.zip");
        TinyModels.savePeaky(model);
        Path demo = dir.resolve("library-demo");
        copyTree(Fixtures.PROJECT.resolve("examples/library-demo"), demo);
        String output = run(demo, "mvn", "-B", "-q", "compile", "exec:java", "-Dexec.args=" + model);

        String expected = Generator.load(model).generate(GenerationOptions.builder().prime("Th").length(120)
                .temperature(0.8).seed(2021L).build()).get(0).fullText();
        assertThat(output).contains("SAMPLE-BEGIN" + expected + "SAMPLE-END");
        // The artifact brings no logging binding to its users, so loading a model prints no ND4J
        // INFO lines into the host program's output (Logback, unconfigured, printed a dozen).
        assertThat(output).contains("LOGBACK-ON-CLASSPATH=false")
                .doesNotContain("Loaded [CpuBackend] backend")
                .doesNotContainPattern("(?m)\\b(INFO|DEBUG)\\b.*org\\.(nd4j|deeplearning4j)");
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("mvn", ".log");
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!finished) {
            p.destroyForcibly();
        }
        assertThat(finished && p.exitValue() == 0)
                .as("%s in %s failed:%n%s", String.join(" ", command), dir, output).isTrue();
        return output;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            if (!f.toString().contains("target")) {
                copy(f, to.resolve(from.relativize(f).toString()));
            }
        }
    }
}
