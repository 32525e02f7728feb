package io.isthmus.cli;

import io.isthmus.cni.shim.CniShim;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code isthmus install-cni [DIR] [--conf-dir DIR]}: installs the CNI plugin executable where
 * container runtimes look for plugins (default {@code /opt/cni/bin/isthmus}) and an example
 * network configuration list (default {@code /etc/cni/net.d/10-isthmus.conflist}) that chains the
 * reference plugins portmap, bandwidth and tuning after Isthmus. Its cniVersion is 1.0.0 because
 * Debian's reference plugins (1.1.x) speak the specification up to 1.0.0; runtimes that read
 * {@code cniVersions} pick the highest version every plugin supports.
 *
 * <p>The executable is a two-line script that starts the shim on this JDK with flags chosen for
 * start-up time (C1 only, serial GC, no perf data): measured about 65 ms to the first byte on the
 * development machine, see benchmarks/RESULTS.md.
 */
public final class InstallCniCommand implements Subcommand {
    static final String JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k";

    @Override
    public String name() {
        return "install-cni";
    }

    @Override
    public String summary() {
        return "install the CNI plugin (default /opt/cni/bin/isthmus) and an example conflist";
    }

    @Override
    public int run(String[] args) throws IOException {
        Path binDir = Path.of("/opt/cni/bin");
        Path confDir = Path.of("/etc/cni/net.d");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--conf-dir" -> {
                    if (i + 1 == args.length) {
                        System.err.println("isthmus install-cni: --conf-dir needs a directory");
                        return 2;
                    }
                    confDir = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    System.err.println("usage: isthmus install-cni [BIN_DIR] [--conf-dir CONF_DIR]");
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("isthmus install-cni: unknown option " + args[i]);
                        return 2;
                    }
                    binDir = Path.of(args[i]);
                }
            }
        }
        final Path plugin = install(binDir);
        final Path conflist = writeExampleConflist(confDir);
        System.out.println("installed " + plugin);
        System.out.println("wrote " + conflist);
        return 0;
    }

    /** Copies the shim's jar next to the plugin and writes the plugin script. Returns the script. */
    public static Path install(Path binDir) throws IOException {
        final Path support = binDir.resolve("isthmus.d");
        Files.createDirectories(support);
        final Path jar = support.resolve("cni-shim.jar");
        Files.copy(shimJar(), jar, StandardCopyOption.REPLACE_EXISTING);
        final String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IOException("cannot tell which java runs this process"));
        final Path script = binDir.resolve("isthmus");
        final Path temporary = binDir.resolve(".isthmus.tmp");
        Files.writeString(temporary, "#!/bin/sh\n# The Isthmus CNI plugin: relays to the agent (installed by 'isthmus install-cni').\n"
                + "exec '" + java + "' " + JVM_FLAGS + " -cp '" + jar.toAbsolutePath() + "' " + CniShim.class.getName() + "\n");
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(temporary, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return script;
    }

    public static Path writeExampleConflist(Path confDir) throws IOException {
        Files.createDirectories(confDir);
        final Path conflist = confDir.resolve("10-isthmus.conflist");
        Files.writeString(conflist, """
                {
                  "cniVersion": "1.0.0",
                  "cniVersions": ["1.0.0", "1.1.0"],
                  "name": "isthmus",
                  "plugins": [
                    {"type": "isthmus", "dns": {"nameservers": ["10.96.0.10"], "search": ["svc.cluster.local", "cluster.local"]}},
                    {"type": "portmap", "capabilities": {"portMappings": true}},
                    {"type": "bandwidth", "capabilities": {"bandwidth": true}},
                    {"type": "tuning", "sysctl": {"net.ipv4.conf.eth0.accept_redirects": "0"}}
                  ]
                }
                """);
        return conflist;
    }

    private static Path shimJar() throws IOException {
        try {
            final Path location = Path.of(CniShim.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location)) {
                throw new IOException("the CNI shim is not packaged as a jar (" + location + "); run 'mvn package' first");
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the CNI shim's jar", e);
        }
    }
}
