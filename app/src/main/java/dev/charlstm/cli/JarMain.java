package dev.charlstm.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The jar's {@code Main-Class}: starts {@link Main} wherever the project jar is run from.
 *
 * <p>The manifest's {@code Class-Path} names the runtime jars by file name, which works in the
 * distribution's {@code lib/}, where they sit beside the project jar. The copy Maven leaves in
 * {@code target/} has no jars beside it, so {@code java -jar target/charlstm-<version>.jar} used to
 * end in {@code NoClassDefFoundError: picocli/...}. There this class finds the distribution that
 * {@code mvn package} laid out next to it ({@code target/charlstm-<version>/lib/}) and runs the
 * command line from those jars; without one, it says where the runnable jar is.
 *
 * <p>It uses nothing but the JDK, so that it loads when every other jar is missing.
 */
public final class JarMain {

    private static final String MAIN = "dev.charlstm.cli.Main";

    private JarMain() {}

    public static void main(String[] args) throws Throwable {
        if (loadable("picocli.CommandLine") && loadable("org.slf4j.LoggerFactory")) {
            run(JarMain.class.getClassLoader(), args);
            return;
        }
        Path jar = ownJar();
        Path lib = jar == null ? null : distributionLib(jar);
        if (lib == null) {
            System.err.println("charlstm: error: " + (jar == null ? "this jar" : jar) + " runs only beside its "
                    + "runtime jars; run `mvn package` and use app/target/charlstm-<version>/bin/charlstm or "
                    + "java -jar app/target/charlstm-<version>/lib/charlstm-<version>.jar");
            System.exit(1);
        }
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path p : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(p.toUri().toURL());
            }
        }
        // The platform loader as parent, so that every class, this jar's own included, comes from lib/.
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader); // ND4J finds its backend through it
        run(loader, args);
    }

    private static void run(ClassLoader loader, String[] args) throws Throwable {
        try {
            Class.forName(MAIN, true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean loadable(String name) {
        try {
            Class.forName(name, false, JarMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Path ownJar() {
        try {
            Path p = Path.of(JarMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code DIR/NAME/lib/} for the jar {@code DIR/NAME.jar}, when it holds a copy of that jar. */
    static Path distributionLib(Path jar) throws IOException {
        String name = jar.getFileName().toString();
        if (!name.endsWith(".jar") || jar.getParent() == null) {
            return null;
        }
        Path lib = jar.getParent().resolve(name.substring(0, name.length() - 4)).resolve("lib");
        return Files.isRegularFile(lib.resolve(name)) ? lib : null;
    }
}
