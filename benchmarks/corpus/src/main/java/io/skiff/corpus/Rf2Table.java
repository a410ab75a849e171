package io.skiff.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.SplittableRandom;

/**
 * The SNOMED CT RF2 tables of a release: tab-separated, a header line, rows sorted by id ascending,
 * with id, effectiveTime, active and moduleId first and the table's own columns after. Ids are
 * {@link SnomedId}s whose item numbers leave gaps, so later versions can insert rows in sorted position.
 */
enum Rf2Table {
    CONCEPT("sct2_Concept_Full_INT", SnomedId.CONCEPT, 0.12,
            "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId") {
        @Override
        void appendColumns(StringBuilder sb, SplittableRandom r, long conceptItems) {
            sb.append(r.nextInt(5) == 0 ? "900000000000073002" : "900000000000074008"); // defined : primitive
        }
    },
    DESCRIPTION("sct2_Description_Full-en_INT", SnomedId.DESCRIPTION, 0.50,
            "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId") {
        @Override
        void appendColumns(StringBuilder sb, SplittableRandom r, long conceptItems) {
            boolean fullySpecifiedName = r.nextInt(3) == 0;
            sb.append(randomConceptId(r, conceptItems)).append("\ten\t")
                    .append(fullySpecifiedName ? FULLY_SPECIFIED_NAME : SYNONYM).append('\t');
            MedicalText.appendTerm(sb, r, fullySpecifiedName);
            sb.append('\t').append(r.nextInt(10) == 0 ? "900000000000017005" : "900000000000448009");
        }

        @Override
        String edited(String line, String effectiveTime, SplittableRandom r) {
            String[] cols = line.split("\t", -1);
            cols[1] = effectiveTime;
            cols[TERM_COLUMN] = MedicalText.editTerm(cols[TERM_COLUMN], r);
            return String.join("\t", cols);
        }
    },
    RELATIONSHIP("sct2_Relationship_Full_INT", SnomedId.RELATIONSHIP, 0.30,
            "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId") {
        @Override
        void appendColumns(StringBuilder sb, SplittableRandom r, long conceptItems) {
            boolean isA = r.nextInt(5) < 2;
            sb.append(randomConceptId(r, conceptItems)).append('\t').append(randomConceptId(r, conceptItems)).append('\t')
                    .append(isA ? 0 : r.nextInt(4)).append('\t')
                    .append(isA ? "116680003" : ATTRIBUTE_TYPES[r.nextInt(ATTRIBUTE_TYPES.length)]).append('\t')
                    .append(r.nextInt(4) == 0 ? "900000000000010007" : "900000000000011006") // stated : inferred
                    .append("\t900000000000451002");
        }
    };

    static final String DIRECTORY = "SnomedCT_Release/Full/Terminology/";
    private static final int TERM_COLUMN = 7;
    private static final String FULLY_SPECIFIED_NAME = "900000000000003001";
    private static final String SYNONYM = "900000000000013009";
    private static final String CORE_MODULE = "900000000000207008";
    private static final String MODEL_MODULE = "900000000000012004";
    /** Finding site, associated morphology, causative agent, method, procedure site, has active ingredient. */
    private static final String[] ATTRIBUTE_TYPES = {"363698007", "116676008", "246075003", "260686004", "405813007", "127489000"};
    private static final long FIRST_ITEM = 10_000;
    /** Mean step between consecutive item numbers: the gaps leave room for rows later versions insert. */
    private static final int MEAN_ITEM_STEP = 40;

    final String path;
    final int partition;
    /** Share of the release's bytes this table gets. */
    final double share;
    final String header;

    Rf2Table(String fileStem, int partition, double share, String header) {
        this.path = DIRECTORY + fileStem + "_" + ReleaseCalendar.FILE_DATE + ".txt";
        this.partition = partition;
        this.share = share;
        this.header = header;
    }

    /** Columns after id, effectiveTime, active and moduleId, without the line's end. */
    abstract void appendColumns(StringBuilder sb, SplittableRandom r, long conceptItems);

    /** The row with its content edited, or null when this table's rows are not edited. */
    String edited(String line, String effectiveTime, SplittableRandom r) {
        return null;
    }

    /**
     * Item numbers concept ids are drawn from: a table of {@code conceptRows} concepts spans about
     * this many items, so referenced ids look like (and mostly are near) real concept ids.
     */
    static long conceptItems(long conceptRows) {
        return Math.max(1, conceptRows) * MEAN_ITEM_STEP;
    }

    /** Writes a version-1 table of about {@code limitBytes}. */
    FileChanges generate(Writer out, long limitBytes, SplittableRandom r, long conceptItems) throws IOException {
        FileChanges tally = new FileChanges(path);
        out.write(header);
        out.write('\n');
        long written = header.length() + 1;
        StringBuilder sb = new StringBuilder(512);
        long item = FIRST_ITEM + r.nextInt(MEAN_ITEM_STEP);
        while (written < limitBytes) {
            sb.setLength(0);
            appendRow(sb, item, ReleaseCalendar.historicEffectiveTime(written / (double) limitBytes, r), r.nextInt(25) != 0, r, conceptItems);
            out.append(sb);
            written += sb.length(); // ASCII: chars are bytes
            tally.rows++;
            item += 1 + r.nextInt(2 * MEAN_ITEM_STEP - 1);
        }
        return tally;
    }

    /**
     * Streams the previous version's table from {@code in} to {@code out} row by row, inserting,
     * retiring, removing and editing rows at the given rates, each decided independently per row so
     * the changes are spread evenly through the file.
     */
    FileChanges update(BufferedReader in, Writer out, String effectiveTime, SplittableRandom r, long conceptItems,
                       ChangeRates rates) throws IOException {
        FileChanges tally = new FileChanges(path);
        String first = in.readLine();
        if (!header.equals(first)) {
            throw new IOException(path + ": expected header '" + header + "', found '" + first + "'");
        }
        out.write(header);
        out.write('\n');
        StringBuilder sb = new StringBuilder(512);
        long previousItem = -1;
        for (String line; (line = in.readLine()) != null; ) {
            int tab = line.indexOf('\t');
            long item = SnomedId.item(Long.parseLong(line, 0, tab, 10));
            if (item <= previousItem) {
                throw new IOException(path + ": ids out of order at " + line.substring(0, tab));
            }
            if (previousItem >= 0 && item - previousItem >= 2 && r.nextDouble() < rates.insert()) {
                sb.setLength(0);
                appendRow(sb, previousItem + 1 + r.nextLong(item - previousItem - 1), effectiveTime, true, r, conceptItems);
                out.append(sb);
                tally.inserted++;
                tally.rows++;
            }
            previousItem = item;
            double change = r.nextDouble();
            if (change < rates.remove()) {
                tally.removed++;
                continue;
            }
            change -= rates.remove();
            String written = line;
            if (change < rates.inactivate()) {
                // RF2 layout: id \t effectiveTime(8) \t active \t ...; only active rows can be retired.
                if (line.charAt(tab + 10) == '1') {
                    written = line.substring(0, tab + 1) + effectiveTime + "\t0" + line.substring(tab + 11);
                    tally.inactivated++;
                }
            } else if (change - rates.inactivate() < rates.edit()) {
                String edited = edited(line, effectiveTime, r);
                if (edited != null) {
                    written = edited;
                    tally.edited++;
                }
            }
            out.write(written);
            out.write('\n');
            tally.rows++;
        }
        return tally;
    }

    private void appendRow(StringBuilder sb, long item, String effectiveTime, boolean active, SplittableRandom r, long conceptItems) {
        sb.append(SnomedId.of(item, partition)).append('\t').append(effectiveTime).append('\t').append(active ? '1' : '0')
                .append('\t').append(r.nextInt(20) == 0 ? MODEL_MODULE : CORE_MODULE).append('\t');
        appendColumns(sb, r, conceptItems);
        sb.append('\n');
    }

    private static long randomConceptId(SplittableRandom r, long conceptItems) {
        return SnomedId.of(FIRST_ITEM + r.nextLong(conceptItems), SnomedId.CONCEPT);
    }
}
