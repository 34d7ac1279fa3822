package com.evolutionprovisioner.platform;

/**
 * Makes text that came from outside (request paths, token errors, parser messages) safe to put in a log line: quoted,
 * its control characters escaped so that nobody can forge a line break or a fake log entry, and cut to about
 * {@value #MAX_CODE_POINTS} characters so that a megabyte of input costs a log line, not the disk.
 */
public final class LogSafe {

    static final int MAX_CODE_POINTS = 100;

    private LogSafe() {
    }

    /** The text in double quotes, escaped and cut (with "…" when cut); {@code null} as the bare word null. */
    public static String quote(Object untrusted) {
        if (untrusted == null) {
            return "null";
        }
        String text = untrusted.toString();
        StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX_CODE_POINTS) + 8).append('"');
        int index = 0;
        for (int kept = 0; index < text.length() && kept < MAX_CODE_POINTS; kept++) {
            int codePoint = text.codePointAt(index);
            appendEscaped(safe, codePoint);
            index += Character.charCount(codePoint);
        }
        if (index < text.length()) {
            safe.append('…');
        }
        return safe.append('"').toString();
    }

    private static void appendEscaped(StringBuilder safe, int codePoint) {
        switch (codePoint) {
            case '\n' -> safe.append("\\n");
            case '\r' -> safe.append("\\r");
            case '\t' -> safe.append("\\t");
            case '"' -> safe.append("\\\"");
            case '\\' -> safe.append("\\\\");
            default -> {
                if (isInvisible(codePoint)) {
                    for (char unit : Character.toChars(codePoint)) {
                        safe.append(String.format("\\u%04X", (int) unit));
                    }
                } else {
                    safe.appendCodePoint(codePoint);
                }
            }
        }
    }

    /**
     * C0 and C1 controls and DEL, Unicode line and paragraph separators, format characters (bidirectional overrides,
     * zero-width characters, which can make a line read differently from what it holds) and lone surrogates.
     */
    private static boolean isInvisible(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }
}
