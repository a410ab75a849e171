package io.skiff.corpus;

/** Row counts of one generated or updated file, for the release notes and the README. */
final class FileChanges {
    final String path;
    long rows;
    long inserted;
    long inactivated;
    long removed;
    long edited;

    FileChanges(String path) {
        this.path = path;
    }

    String summary() {
        return path + ": " + inserted + " added, " + inactivated + " inactivated, " + removed + " removed, "
                + edited + " edited; " + rows + " rows";
    }
}
