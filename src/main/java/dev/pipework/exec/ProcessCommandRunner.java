package dev.pipework.exec;


import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;
import dev.pipework.sys.ShellWords;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs commands with {@link ProcessBuilder}; {@code -v} logs each one and its result. */
public final class ProcessCommandRunner implements CommandRunner {

    @Override
    public CommandResult run(List<String> argv) {
        return run(argv, null);
    }

    @Override
    public CommandResult run(List<String> argv, String stdin) {
        CommandLog.debug("run: {}", ShellWords.join(argv));
        if (stdin != null && CommandLog.enabled()) {
            stdin.lines().forEach(line -> CommandLog.debug("  < {}", line));
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            CommandResult result = new CommandResult(127, "", argv.get(0) + ": " + e.getMessage());
            CommandLog.debug("  cannot start: {}", e.getMessage());
            return result;
        }
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // stderr is read on another thread so that neither pipe can fill up and block the child.
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
            String stdout = drain(process.getInputStream());
            int status = process.waitFor();
            CommandResult result = new CommandResult(status, stdout, stderr.join());
            if (CommandLog.enabled()) {
                CommandLog.debug("  exit {}{}", status, result.stderr().isBlank() ? "" : ": " + result.stderr().strip());
            }
            return result;
        } catch (IOException e) {
            process.destroyForcibly();
            return new CommandResult(1, "", e.getMessage());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new CommandResult(130, "", "interrupted");
        }
    }

    @Override
    public int runDiscardingOutput(List<String> argv) {
        CommandLog.debug("run: {}", ShellWords.join(argv));
        try {
            Process process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            int status = process.waitFor();
            CommandLog.debug("  exit {}", status);
            return status;
        } catch (IOException e) {
            CommandLog.debug("  cannot start: {}", e.getMessage());
            return 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
