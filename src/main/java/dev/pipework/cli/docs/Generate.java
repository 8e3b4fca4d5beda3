package dev.pipework.cli.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes what the build ships beside the jar, from the command model:
 * {@code man/pipework.1} (and {@code .gz}), {@code completion/pipework} and the Debian control files in
 * {@code deb/control/}. Run at build time only.
 *
 * <pre>Generate --out DIR --version V [--deb-maintainer M] [--deb-depends D] [--deb-recommends R]</pre>
 */
public final class Generate {
    private Generate() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Generate --out DIR --version V [--deb-maintainer M]"
                        + " [--deb-depends D] [--deb-recommends R]; at \"" + args[i] + "\"");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        Path out = Path.of(required(opts, "out"));
        String version = required(opts, "version");
        CommandModel model = CommandModel.load();

        String man = new ManPage(model, version).render();
        write(out.resolve("man/pipework.1"), man.getBytes(StandardCharsets.UTF_8), false);
        write(out.resolve("man/pipework.1.gz"), gzip(man.getBytes(StandardCharsets.UTF_8)), false);
        write(out.resolve("completion/pipework"),
                new Completion(model, version).render().getBytes(StandardCharsets.UTF_8), false);

        DebianPackage deb = new DebianPackage(model, version,
                opts.getOrDefault("deb-maintainer", "pipework <root@localhost>"),
                opts.getOrDefault("deb-depends", "iproute2, util-linux"),
                opts.getOrDefault("deb-recommends", ""));
        for (Map.Entry<String, String> file : deb.files().entrySet()) {
            write(out.resolve("deb/control").resolve(file.getKey()),
                    file.getValue().getBytes(StandardCharsets.UTF_8), DebianPackage.isScript(file.getKey()));
        }
    }

    private static String required(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Generate: --" + name + " is required");
        }
        return value;
    }

    private static void write(Path file, byte[] content, boolean executable) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** gzip -9n: best compression, no name, no time stamp. */
    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }
}
