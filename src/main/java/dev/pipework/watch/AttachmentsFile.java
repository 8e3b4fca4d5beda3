package dev.pipework.watch;

import dev.pipework.model.AttachRequest;
import dev.pipework.model.InvalidValueException;
import dev.pipework.model.PipeworkException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The attachments file ({@code /etc/pipework/attachments}) for containers that cannot be relabelled:
 * the {@code --batch} syntax with the guest named, one attach a line, {@code #} comments. Read afresh
 * at each use, so an edit takes effect at the next start or {@code apply}. A missing file declares nothing.
 */
public final class AttachmentsFile {
    public static final Path DEFAULT = Path.of("/etc/pipework/attachments");

    /** One line: its request, or why it cannot be read. */
    public record Entry(Declaration declaration, Optional<AttachRequest> request, Optional<String> error) {
    }

    private final Path path;
    private final RequestReader reader;

    public AttachmentsFile(Path path, RequestReader reader) {
        this.path = path;
        this.reader = reader;
    }

    public Path path() {
        return path;
    }

    /** Every attach the file declares; a line that cannot be read is an entry with its error. */
    public List<Entry> entries() {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new PipeworkException("cannot read " + path + ": " + e.getMessage());
        }
        return parse(lines);
    }

    List<Entry> parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Declaration d = new Declaration(path + ":" + (i + 1), line);
            try {
                entries.add(new Entry(d, Optional.of(reader.line(line)), Optional.empty()));
            } catch (PipeworkException | InvalidValueException | IllegalArgumentException e) {
                entries.add(new Entry(d, Optional.empty(), Optional.of(Reconciler.message(e))));
            }
        }
        return entries;
    }

    /**
     * Whether a guest as the file names it is this container: its name (with or without Docker's
     * leading slash), or a prefix of its ID of at least 12 hex digits.
     */
    public static boolean names(String token, String id, String plainName) {
        if (token.equals(plainName) || token.equals("/" + plainName)) {
            return true;
        }
        return token.length() >= 12 && token.matches("[0-9a-f]+") && id.startsWith(token);
    }
}
