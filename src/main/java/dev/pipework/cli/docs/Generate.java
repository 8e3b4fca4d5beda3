package dev.pipework.cli.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes what the build ships beside the jar, from the command model:
 * {@code man/pipework.1} (and {@code .gz}), {@code completion/pipework}, the Debian control files in
 * {@code deb/control/} and the package's changelog in {@code deb/doc/changelog.gz}. Run at build time only.
 * The changelog is dated {@code SOURCE_DATE_EPOCH} when that is set, else now.
 *
 * <pre>Generate --out DIR --version V --deb-maintainer M [--deb-depends D] [--deb-recommends R]</pre>
 */
public final class Generate {
    private Generate() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Generate --out DIR --version V --deb-maintainer M"
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
                required(opts, "deb-maintainer"),
                opts.getOrDefault("deb-depends", "iproute2"),
                opts.getOrDefault("deb-recommends", ""));
        for (Map.Entry<String, String> file : deb.files().entrySet()) {
            write(out.resolve("deb/control").resolve(file.getKey()),
                    file.getValue().getBytes(StandardCharsets.UTF_8), DebianPackage.isScript(file.getKey()));
        }
        write(out.resolve("deb/doc/changelog.gz"),
                gzip(deb.changelog(buildTime()).getBytes(StandardCharsets.UTF_8)), false);
    }

    /** {@code SOURCE_DATE_EPOCH} (reproducible builds) when set, else now. */
    private static Instant buildTime() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        return epoch == null || epoch.isBlank() ? Instant.now() : Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
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

    /**
     * gzip -9n: best compression, no name, no time stamp, and the header of gzip itself (extra flags 2,
     * "maximum compression"; operating system 3, Unix), which {@code file} and lintian look at.
     * {@link java.util.zip.GZIPOutputStream} writes neither.
     */
    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(bytes, deflater)) {
            deflate.write(data);
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        littleEndian(bytes, crc.getValue());
        littleEndian(bytes, data.length & 0xffffffffL);
        return bytes.toByteArray();
    }

    private static void littleEndian(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }
}
