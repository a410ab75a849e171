package io.skiff.corpus;

import java.util.SplittableRandom;

import static io.skiff.corpus.MedicalVocabulary.*;

/**
 * Seeded clinical text: terms built from a fixed vocabulary by a few templates shaped like real
 * SNOMED CT and ICD-10-CM descriptions ("Displaced fracture of shaft of left femur", "Product
 * containing precisely metformin 500 milligram/1 each conventional release oral tablet"), so
 * generated files compress roughly as real code-set files do. The words are {@link MedicalVocabulary}'s.
 */
final class MedicalText {
    private MedicalText() {
    }

    /** A SNOMED CT style term; a fully specified name ends with its semantic tag, e.g. " (disorder)". */
    static void appendTerm(StringBuilder sb, SplittableRandom r, boolean fullySpecifiedName) {
        String tag;
        int kind = r.nextInt(100);
        if (kind < 25) {
            appendMorphologyAtSite(sb, r);
            tag = "disorder";
        } else if (kind < 45) {
            appendDerivedDisorder(sb, r);
            tag = "disorder";
        } else if (kind < 55) {
            appendDisease(sb, r);
            tag = "disorder";
        } else if (kind < 62) {
            appendInfection(sb, r);
            tag = "disorder";
        } else if (kind < 70) {
            appendProcedure(sb, r);
            tag = "procedure";
        } else if (kind < 80) {
            appendDerivedProcedure(sb, r);
            tag = "procedure";
        } else if (kind < 86) {
            sb.append(pick(SPECIMEN, r)).append(' ').append(pick(ANALYTE, r)).append(' ').append(pick(MEASUREMENT, r));
            tag = "observable entity";
        } else if (kind < 95) {
            sb.append("Product containing precisely ");
            appendSubstance(sb, r);
            sb.append(' ').append(STRENGTH[r.nextInt(STRENGTH.length)]);
            if (r.nextInt(4) == 0) {
                sb.append('.').append(1 + r.nextInt(9));
            }
            sb.append(" milligram/1 each conventional release ").append(pick(DOSE_FORM, r));
            tag = "clinical drug";
        } else {
            sb.append(pick(FINDING, r)).append(' ');
            appendLateralSite(sb, r);
            tag = "finding";
        }
        if (fullySpecifiedName) {
            sb.append(" (").append(tag).append(')');
        }
    }

    /**
     * An ICD-10-CM long description: a category title for header lines, a billable code's full
     * description (often with the encounter for injuries) otherwise.
     */
    static void appendIcdDescription(StringBuilder sb, SplittableRandom r, boolean header) {
        int kind = r.nextInt(100);
        if (header) {
            if (kind < 50) {
                sb.append(pick(DISEASE, r));
            } else {
                String morphology = pick(MORPHOLOGY, r);
                sb.append(Character.toUpperCase(morphology.charAt(0))).append(morphology, 1, morphology.length())
                        .append(" of ").append(pick(SITE, r));
            }
        } else if (kind < 40) {
            appendMorphologyAtSite(sb, r);
            sb.append(", ").append(pick(ENCOUNTER, r));
        } else if (kind < 65) {
            appendDerivedDisorder(sb, r);
        } else if (kind < 85) {
            appendDisease(sb, r);
        } else {
            appendInfection(sb, r);
        }
    }

    /** The ICD-10-CM short form of a long description: common words abbreviated. */
    static void appendAbbreviated(StringBuilder sb, String description) {
        int start = 0;
        while (start < description.length()) {
            int end = description.indexOf(' ', start);
            if (end < 0) {
                end = description.length();
            }
            String word = description.substring(start, end);
            boolean comma = word.endsWith(",");
            String bare = comma ? word.substring(0, word.length() - 1) : word;
            sb.append(ABBREVIATIONS.getOrDefault(bare, bare));
            if (comma) {
                sb.append(',');
            }
            if (end < description.length()) {
                sb.append(' ');
            }
            start = end + 1;
        }
    }

    /**
     * {@code term} with one word swapped for another of its class, or with a qualifier put in front
     * when it has no such word: what real edits (corrections, added precision) look like. A trailing
     * semantic tag is kept.
     */
    static String editTerm(String term, SplittableRandom r) {
        int tag = term.endsWith(")") ? term.lastIndexOf(" (") : -1;
        String body = tag > 0 ? term.substring(0, tag) : term;
        String[] words = body.split(" ");
        int swappable = 0;
        for (String word : words) {
            swappable += WORD_CLASSES.containsKey(word) ? 1 : 0;
        }
        String edited;
        if (swappable > 0) {
            int nth = r.nextInt(swappable);
            for (int i = 0; i < words.length; i++) {
                String[] wordClass = WORD_CLASSES.get(words[i]);
                if (wordClass != null && nth-- == 0) {
                    String replacement = words[i];
                    while (replacement.equals(words[i]) || replacement.contains(" ")) {
                        replacement = pick(wordClass, r);
                    }
                    words[i] = replacement;
                    break;
                }
            }
            edited = String.join(" ", words);
        } else {
            // "Havasta syndrome", "Crohn disease": a name keeps its capital; "Pneumonia" does not.
            boolean name = words.length > 1 && EPONYM_NOUNS.contains(words[1]);
            edited = pick(QUALIFIER, r) + " " + (name ? body : Character.toLowerCase(body.charAt(0)) + body.substring(1));
        }
        return tag > 0 ? edited + term.substring(tag) : edited;
    }

    /** A short sentence for release notes. */
    static void appendNote(StringBuilder sb, SplittableRandom r) {
        int kind = r.nextInt(4);
        sb.append(kind == 0 ? "Descriptions of " : kind == 1 ? "Inactivated duplicate concepts for " : kind == 2 ? "New concepts for " : "Revised modeling of ");
        StringBuilder term = new StringBuilder(80);
        appendTerm(term, r, false);
        sb.append(Character.toLowerCase(term.charAt(0))).append(term, 1, term.length());
        sb.append(r.nextBoolean() ? " following a content request." : ", see the editorial guide.");
    }

    private static void appendMorphologyAtSite(StringBuilder sb, SplittableRandom r) {
        String morphology = pick(MORPHOLOGY, r);
        if (r.nextInt(3) > 0) {
            sb.append(pick(ACUITY, r)).append(' ').append(morphology);
        } else {
            sb.append(Character.toUpperCase(morphology.charAt(0))).append(morphology, 1, morphology.length());
        }
        sb.append(" of ");
        appendLateralSite(sb, r);
    }

    /** "Chronic perinephritis", "Hypothyroidism with ...", "Cholecystolithiasis of ...". */
    private static void appendDerivedDisorder(StringBuilder sb, SplittableRandom r) {
        boolean acuity = r.nextInt(3) == 0;
        if (acuity) {
            sb.append(pick(ACUITY, r)).append(' ');
        }
        appendDerivedWord(sb, r, DISORDER_SUFFIX, !acuity);
        int tail = r.nextInt(4);
        if (tail == 0) {
            sb.append(" of ");
            appendLateralSite(sb, r);
        } else if (tail == 1) {
            sb.append(" with ").append(pick(COMPLICATION, r));
        } else if (tail == 2 && r.nextBoolean()) {
            sb.append(" secondary to ");
            appendDerivedWord(sb, r, DISORDER_SUFFIX, false);
        }
    }

    /** "Laparoscopic cholecystectomy", "Endoscopic gastroscopy of ...". */
    private static void appendDerivedProcedure(StringBuilder sb, SplittableRandom r) {
        sb.append(pick(PROCEDURE_MANNER, r)).append(' ');
        appendDerivedWord(sb, r, PROCEDURE_SUFFIX, false);
        if (r.nextBoolean()) {
            sb.append(" of ");
            appendLateralSite(sb, r);
        }
    }

    private static void appendDerivedWord(StringBuilder sb, SplittableRandom r, String[] suffixes, boolean capitalized) {
        int start = sb.length();
        sb.append(pick(PREFIX, r));
        String root = pick(ROOT, r);
        String suffix = pick(suffixes, r);
        boolean vowel = "aeiou".indexOf(suffix.charAt(0)) >= 0;
        if (vowel && "aeiou".indexOf(root.charAt(root.length() - 1)) >= 0) {
            sb.append(root, 0, root.length() - 1); // cardi + itis = carditis
        } else {
            sb.append(root);
            if (!vowel) {
                sb.append('o'); // gastr + scopy = gastroscopy
            }
        }
        sb.append(suffix);
        if (capitalized) {
            sb.setCharAt(start, Character.toUpperCase(sb.charAt(start)));
        }
    }

    private static void appendLateralSite(StringBuilder sb, SplittableRandom r) {
        int kind = r.nextInt(10);
        if (kind == 0) {
            int level = r.nextInt(24);
            sb.append(level < 7 ? "C" : level < 19 ? "T" : "L").append(level < 7 ? level + 1 : level < 19 ? level - 6 : level - 18).append(" vertebra");
            return;
        }
        if (kind == 1) {
            sb.append(pick(LATERALITY, r)).append(' ').append(pick(DIGIT, r)).append(" finger");
            return;
        }
        if (kind < 7) {
            sb.append(pick(LATERALITY, r)).append(' ');
        }
        sb.append(pick(SITE, r));
    }

    private static void appendDisease(StringBuilder sb, SplittableRandom r) {
        if (r.nextBoolean()) {
            appendName(sb, r, true);
            if (r.nextInt(3) == 0) {
                sb.append('-');
                appendName(sb, r, true);
            }
            sb.append(' ').append(pick(EPONYM_NOUN, r));
        } else {
            sb.append(pick(DISEASE, r));
        }
        int with = r.nextInt(4);
        if (with == 0) {
            sb.append(" with ").append(pick(COMPLICATION, r));
        } else if (with == 1) {
            sb.append(" without complication");
        }
    }

    private static void appendInfection(StringBuilder sb, SplittableRandom r) {
        sb.append(pick(INFECTION, r)).append(" due to ");
        if (r.nextInt(3) == 0) {
            sb.append(pick(ORGANISM, r));
        } else {
            appendOrganism(sb, r);
        }
    }

    /** A made-up genus and species, e.g. "Delmonobacter kelensis". */
    private static void appendOrganism(StringBuilder sb, SplittableRandom r) {
        appendName(sb, r, true);
        sb.append(pick(GENUS_ENDING, r)).append(' ');
        appendName(sb, r, false);
        sb.append(pick(SPECIES_ENDING, r));
    }

    /** Two or three syllables. */
    private static void appendName(StringBuilder sb, SplittableRandom r, boolean capitalized) {
        int start = sb.length();
        int syllables = 2 + r.nextInt(2);
        for (int i = 0; i < syllables; i++) {
            sb.append(pick(SYLLABLES, r));
        }
        if (capitalized) {
            sb.setCharAt(start, Character.toUpperCase(sb.charAt(start)));
        }
    }

    private static void appendSubstance(StringBuilder sb, SplittableRandom r) {
        if (r.nextInt(3) == 0) {
            sb.append(pick(SUBSTANCE, r));
        } else {
            appendName(sb, r, false);
            sb.append(pick(DRUG_ENDING, r));
        }
    }

    private static void appendProcedure(StringBuilder sb, SplittableRandom r) {
        sb.append(pick(PROCEDURE, r)).append(" of ");
        appendLateralSite(sb, r);
        if (r.nextBoolean()) {
            sb.append(", ").append(pick(APPROACH, r));
        }
        if (r.nextInt(4) == 0) {
            sb.append(" with ").append(pick(DEVICE, r));
        }
    }

    private static String pick(String[] words, SplittableRandom r) {
        return words[r.nextInt(words.length)];
    }
}
