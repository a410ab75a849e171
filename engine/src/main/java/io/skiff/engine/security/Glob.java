package io.skiff.engine.security;

import java.util.regex.Pattern;

/**
 * A grant's identity or channel pattern: {@code *} matches any run of characters (also none), {@code ?}
 * exactly one, every other character itself; case-sensitive and anchored at both ends. Matched by hand,
 * never through a regex, so a pattern cannot smuggle regex syntax in.
 */
final class Glob {
    /** Letters, digits, '-', '_', '.', and the two wildcards; the first character a letter, digit or wildcard. */
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9*?][A-Za-z0-9._*?-]*");
    private static final int MAX_LENGTH = 255;

    private final String pattern;

    private Glob(String pattern) {
        this.pattern = pattern;
    }

    /** @return the glob, or null when {@code text} holds a character outside the allowed set (or is empty or too long) */
    static Glob parseOrNull(String text) {
        if (text.length() > MAX_LENGTH || !SYNTAX.matcher(text).matches()) {
            return null;
        }
        return new Glob(text);
    }

    /** The allowed syntax, for error messages. */
    static String syntax() {
        return "letters, digits, '-', '_', '.', '*', '?'; starting with a letter, digit or wildcard";
    }

    /** Whether {@code text} matches the whole pattern. Linear backtracking on the last '*': no blow-up. */
    boolean matches(String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int starText = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))
                    && pattern.charAt(p) != '*') {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                starText = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
