package io.isthmus.benchmarks.conntrack;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds of the conntrack table side by side in ONE JVM, their batched lookups alternating
 * in short rounds, so that the machine's drift (this VM moves between fast and slow memory
 * states within a minute) falls on both alike: the figure is the median of the per-round
 * ratios. Each build is a benchmarks jar (shaded: it holds its own conntrack classes), loaded
 * by a class loader of its own; the round itself ({@link ConntrackAbRound}) comes from this jar
 * and is linked against each build's conntrack classes, so any build whose
 * {@code ConntrackTable}/{@code ConntrackCursor}/{@code ConntrackLookupBatch} API matches
 * today's can be compared (session 8 on).
 *
 * <p>{@code java <flags> -cp benchmarks.jar io.isthmus.benchmarks.conntrack.ConntrackJarAb JAR_A JAR_B SIZE [ROUNDS] [hit|miss]}
 */
public final class ConntrackJarAb {

    private static final int KEYS_PER_ROUND = 1 << 16;

    private ConntrackJarAb() {
    }

    public static void main(String[] args) throws Exception {
        final Path[] jars = {Path.of(args[0]), Path.of(args[1])};
        final int size = Integer.parseInt(args[2]);
        final int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        final boolean miss = args.length > 4 && args[4].equals("miss");
        final Method[] round = new Method[2];
        final Object[] state = new Object[2];
        for (int v = 0; v < 2; v++) {
            final ClassLoader loader = new BuildLoader(jars[v].toUri().toURL());
            final Class<?> c = loader.loadClass(ConntrackAbRound.class.getName());
            final Constructor<?> make = c.getConstructor(int.class, boolean.class);
            state[v] = make.newInstance(size, miss);
            round[v] = c.getMethod("nsPerKey", int.class);
        }
        final double[][] ns = new double[2][rounds];
        for (int r = -20; r < rounds; r++) { // 20 warm-up rounds of each
            for (int k = 0; k < 2; k++) {
                final int v = (k + Math.max(r, 0)) % 2; // alternate which goes first
                final double value = (double) round[v].invoke(state[v], KEYS_PER_ROUND);
                if (r >= 0) {
                    ns[v][r] = value;
                }
            }
        }
        final double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratio[r] = ns[1][r] / ns[0][r];
        }
        for (int v = 0; v < 2; v++) {
            final double[] sorted = ns[v].clone();
            Arrays.sort(sorted);
            System.out.printf("%s: batch64 %s, thread CPU ns per key: min %.1f, quartile %.1f, median %.1f%n", jars[v],
                miss ? "miss" : "hit", sorted[0], sorted[rounds / 4], sorted[rounds / 2]);
        }
        Arrays.sort(ratio);
        System.out.printf("B / A per round (%d rounds of %d keys, size %d): quartiles %.3f / median %.3f / %.3f%n", rounds,
            KEYS_PER_ROUND, size, ratio[rounds / 4], ratio[rounds / 2], ratio[3 * rounds / 4]);
    }

    /**
     * Loads everything from its build's jar, except {@link ConntrackAbRound}, defined from this
     * jar's bytes (an older build does not have it) and linked against the build's classes.
     */
    private static final class BuildLoader extends URLClassLoader {
        BuildLoader(URL jar) {
            super(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.equals(ConntrackAbRound.class.getName()) && findLoadedClass(name) == null) {
                    try (InputStream in = ConntrackJarAb.class.getResourceAsStream("ConntrackAbRound.class")) {
                        final byte[] bytes = in.readAllBytes();
                        return defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return super.loadClass(name, resolve);
            }
        }
    }
}
