package dev.pipework.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** An HTTP/1.1 answer of the engine, and the incremental reader that assembles one from the socket. */
final class HttpAnswer {
    private HttpAnswer() {
    }

    record Response(int status, String reason, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static final class ProtocolError extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolError(String message) {
            super(message);
        }
    }

    /**
     * Accumulates the bytes of one answer and decides when it is complete: after
     * {@code Content-Length} bytes, after the last chunk of a chunked body, or at end of stream
     * when neither framing is given.
     */
    static final class ResponseReader {
        private static final byte[] CRLF = {'\r', '\n'};
        private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

        private final boolean headRequest;
        private byte[] buf = new byte[16 * 1024];
        private int len;
        /** Start of the current (non-interim) response in buf. */
        private int start;
        private int headerScan;

        private int status = -1;
        private String reason;
        private Map<String, String> headers;
        private int bodyStart;
        private boolean chunked;
        private long contentLength = -1;

        ResponseReader(boolean headRequest) {
            this.headRequest = headRequest;
        }

        void append(byte[] data, int n) throws ProtocolError {
            if (len + n > DockerSocketEngine.MAX_RESPONSE_BYTES) {
                throw new ProtocolError("answer larger than " + DockerSocketEngine.MAX_RESPONSE_BYTES + " bytes");
            }
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
            }
            System.arraycopy(data, 0, buf, len, n);
            len += n;
        }

        /** The answer if all of it has arrived, else null. */
        Response complete() throws ProtocolError {
            if (!parseHead()) {
                return null;
            }
            if (!hasBody()) {
                return response(new byte[0]);
            }
            if (chunked) {
                // The chunked framing always ends with an empty line; only then try to decode.
                if (len - bodyStart < 5 || !endsWith(CRLFCRLF)) {
                    return null;
                }
                byte[] body = dechunk();
                return body == null ? null : response(body);
            }
            if (contentLength >= 0 && len - bodyStart >= contentLength) {
                return response(Arrays.copyOfRange(buf, bodyStart, bodyStart + (int) contentLength));
            }
            return null;
        }

        /** The peer closed the connection. */
        Response atEof() throws ProtocolError {
            if (!parseHead()) {
                throw new ProtocolError(len == 0
                        ? "connection closed without an answer"
                        : "connection closed inside the response header");
            }
            Response r = complete();
            if (r != null) {
                return r;
            }
            if (chunked) {
                throw new ProtocolError("connection closed inside a chunked body");
            }
            if (contentLength >= 0) {
                throw new ProtocolError("connection closed after " + (len - bodyStart) + " of "
                        + contentLength + " body bytes");
            }
            return response(Arrays.copyOfRange(buf, bodyStart, len));
        }

        private Response response(byte[] body) {
            return new Response(status, reason, headers, body);
        }

        private boolean hasBody() {
            // RFC 9112 section 6.3: these never carry a body whatever the headers say.
            return !(headRequest || status == 204 || status == 304 || (status >= 100 && status < 200));
        }

        private boolean parseHead() throws ProtocolError {
            while (status < 0 || (status >= 100 && status < 200)) {
                if (status >= 100) {
                    // Interim answer (e.g. 100 Continue): the final one follows it.
                    start = bodyStart;
                    headerScan = start;
                    status = -1;
                }
                int end = indexOf(CRLFCRLF, Math.max(start, headerScan - 3));
                if (end < 0) {
                    headerScan = len;
                    if (len - start > 64 * 1024) {
                        throw new ProtocolError("response header longer than 64 KiB");
                    }
                    return false;
                }
                parseHeaderBlock(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
                bodyStart = end + 4;
            }
            return true;
        }

        private void parseHeaderBlock(String block) throws ProtocolError {
            String[] lines = block.split("\r\n", -1);
            String statusLine = lines[0];
            // "HTTP/1.1 200 OK"; the reason phrase may be empty or absent.
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
                    || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
                throw new ProtocolError("bad status line: " + abbreviate(statusLine));
            }
            int code;
            try {
                code = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new ProtocolError("bad status line: " + abbreviate(statusLine));
            }
            if (code < 100 || code > 999) {
                throw new ProtocolError("bad status code: " + code);
            }
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolError("bad header line: " + abbreviate(line));
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                h.merge(name, value, (a, b) -> a + ", " + b);
            }
            status = code;
            reason = statusLine.length() > 13 ? statusLine.substring(13).strip() : "";
            headers = h;
            chunked = false;
            contentLength = -1;
            String te = h.get("transfer-encoding");
            if (te != null) {
                String[] codings = te.toLowerCase(Locale.ROOT).split(",");
                if (!codings[codings.length - 1].strip().equals("chunked")) {
                    throw new ProtocolError("unsupported Transfer-Encoding: " + te);
                }
                // With Transfer-Encoding present, Content-Length must be ignored.
                chunked = true;
                if (codings.length > 1) {
                    throw new ProtocolError("unsupported Transfer-Encoding: " + te);
                }
            } else if (h.containsKey("content-length")) {
                String cl = h.get("content-length");
                // Repeated identical values arrive merged as "n, n".
                String[] values = cl.split(",");
                long v = -1;
                for (String s : values) {
                    long parsed;
                    try {
                        parsed = Long.parseLong(s.strip());
                    } catch (NumberFormatException e) {
                        throw new ProtocolError("bad Content-Length: " + cl);
                    }
                    if (parsed < 0 || (v >= 0 && parsed != v)) {
                        throw new ProtocolError("bad Content-Length: " + cl);
                    }
                    v = parsed;
                }
                if (v > DockerSocketEngine.MAX_RESPONSE_BYTES) {
                    throw new ProtocolError("answer larger than " + DockerSocketEngine.MAX_RESPONSE_BYTES + " bytes");
                }
                contentLength = v;
            }
        }

        /** The decoded chunked body, or null if more bytes are needed. */
        private byte[] dechunk() throws ProtocolError {
            byte[] out = new byte[Math.max(0, len - bodyStart)];
            int outLen = 0;
            int p = bodyStart;
            while (true) {
                int eol = indexOf(CRLF, p);
                if (eol < 0) {
                    return null;
                }
                String sizeLine = new String(buf, p, eol - p, StandardCharsets.ISO_8859_1);
                int semi = sizeLine.indexOf(';');
                String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).strip();
                int size;
                try {
                    if (hex.isEmpty() || hex.length() > 8 || hex.startsWith("-") || hex.startsWith("+")) {
                        throw new NumberFormatException();
                    }
                    size = Integer.parseInt(hex, 16);
                } catch (NumberFormatException e) {
                    throw new ProtocolError("bad chunk size line: " + abbreviate(sizeLine));
                }
                if (size < 0 || size > DockerSocketEngine.MAX_RESPONSE_BYTES) {
                    throw new ProtocolError("bad chunk size: " + abbreviate(sizeLine));
                }
                p = eol + 2;
                if (size == 0) {
                    // Optional trailer fields, then an empty line.
                    while (true) {
                        int t = indexOf(CRLF, p);
                        if (t < 0) {
                            return null;
                        }
                        if (t == p) {
                            return Arrays.copyOf(out, outLen);
                        }
                        p = t + 2;
                    }
                }
                if (len - p < size + 2) {
                    return null;
                }
                if (buf[p + size] != '\r' || buf[p + size + 1] != '\n') {
                    throw new ProtocolError("chunk not followed by CRLF");
                }
                System.arraycopy(buf, p, out, outLen, size);
                outLen += size;
                p += size + 2;
            }
        }

        private boolean endsWith(byte[] suffix) {
            if (len < suffix.length) {
                return false;
            }
            for (int i = 0; i < suffix.length; i++) {
                if (buf[len - suffix.length + i] != suffix[i]) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(byte[] needle, int from) {
            outer:
            for (int i = Math.max(0, from); i <= len - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (buf[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        private static String abbreviate(String s) {
            return s.length() > 80 ? s.substring(0, 80) + "..." : s;
        }
    }
}
