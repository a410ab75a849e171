package io.skiff.bench.corpus;

import java.util.SplittableRandom;

/**
 * The SNOMED CT RF2 tables the corpus contains: tab-separated, a header line, rows sorted by id, with
 * id, effectiveTime, active and moduleId first and the table's own columns after.
 */
enum Rf2Table {
    CONCEPT("SnomedCT_Release/Full/Terminology/sct2_Concept_Full_INT.txt", 0.12, -1,
            "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId") {
        @Override
        void appendColumns(StringBuilder sb, SplittableRandom r) {
            sb.append(r.nextInt(4) == 0 ? "900000000000073002" : "900000000000074008");
        }
    },
    DESCRIPTION("SnomedCT_Release/Full/Terminology/sct2_Description_Full-en_INT.txt", 0.50, 7,
            "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId") {
        @Override
        void appendColumns(StringBuilder sb, SplittableRandom r) {
            sb.append(conceptId(r)).append("\ten\t").append(r.nextInt(3) == 0 ? "900000000000003001" : "900000000000013009").append('\t');
            MedicalText.appendTerm(sb, r, 2, 9);
            sb.append("\t900000000000448009");
        }
    },
    RELATIONSHIP("SnomedCT_Release/Full/Terminology/sct2_Relationship_Full_INT.txt", 0.30, -1,
            "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId") {
        @Override
        void appendColumns(StringBuilder sb, SplittableRandom r) {
            sb.append(conceptId(r)).append('\t').append(conceptId(r)).append('\t').append(r.nextInt(4)).append('\t')
                    .append(r.nextInt(2) == 0 ? "116680003" : "363698007").append("\t900000000000011006\t900000000000451002");
        }
    };

    static final String MODULE_ID = "900000000000207008";

    final String path;
    /** Share of the release's bytes this table gets. */
    final double share;
    /** Column holding free text that releases edit, or -1. */
    final int termColumn;
    final String header;

    Rf2Table(String path, double share, int termColumn, String header) {
        this.path = path;
        this.share = share;
        this.termColumn = termColumn;
        this.header = header;
    }

    /** Columns after id, effectiveTime, active and moduleId. */
    abstract void appendColumns(StringBuilder sb, SplittableRandom r);

    void appendRow(StringBuilder sb, long id, String effectiveTime, SplittableRandom r) {
        sb.append(id).append('\t').append(effectiveTime).append('\t').append(r.nextInt(20) == 0 ? '0' : '1')
                .append('\t').append(MODULE_ID).append('\t');
        appendColumns(sb, r);
        sb.append('\n');
    }

    private static long conceptId(SplittableRandom r) {
        return 100_000_000L + r.nextLong(900_000_000L);
    }
}
