package io.skiff.bench.corpus;

import java.util.SplittableRandom;

/**
 * Seeded, terminology-like text: clinical words combined into terms, so generated files compress
 * about as well as real code-set descriptions (zstd -3 around 4-5x on a whole release).
 */
final class MedicalText {
    private static final String[] WORDS = {
            "acute", "chronic", "fracture", "of", "left", "right", "femur", "tibia", "humerus", "radius",
            "diabetes", "mellitus", "type", "with", "without", "complication", "hyperglycemia", "neuropathy",
            "retinopathy", "nephropathy", "hypertension", "essential", "secondary", "malignant", "benign",
            "neoplasm", "carcinoma", "lung", "breast", "colon", "prostate", "skin", "lymphoma", "leukemia",
            "infection", "bacterial", "viral", "pneumonia", "bronchitis", "asthma", "obstructive", "pulmonary",
            "disease", "disorder", "syndrome", "injury", "superficial", "open", "wound", "laceration",
            "contusion", "sprain", "strain", "dislocation", "displaced", "nondisplaced", "closed",
            "initial", "subsequent", "encounter", "sequela", "routine", "delayed", "healing", "nonunion",
            "malunion", "unspecified", "other", "specified", "site", "upper", "lower", "limb", "arm", "leg",
            "ankle", "wrist", "shoulder", "hip", "knee", "joint", "bone", "muscle", "tendon", "ligament",
            "heart", "failure", "coronary", "artery", "atherosclerosis", "myocardial", "infarction",
            "angina", "pectoris", "stable", "unstable", "arrhythmia", "atrial", "fibrillation", "flutter",
            "renal", "kidney", "stage", "end", "dialysis", "dependence", "pregnancy", "trimester", "first",
            "second", "third", "labor", "delivery", "postpartum", "newborn", "congenital", "anomaly",
            "procedure", "excision", "resection", "biopsy", "percutaneous", "endoscopic", "approach",
            "device", "drainage", "insertion", "removal", "replacement", "substance", "finding", "observable",
            "entity", "body", "structure", "clinical", "situation", "context", "qualifier", "value",
            "morphologic", "abnormality", "organism", "product", "containing", "precisely", "milligram",
            "oral", "tablet", "capsule", "solution", "injection", "dose", "form", "administration",
            "measurement", "serum", "plasma", "urine", "blood", "level", "mass", "concentration", "ratio"
    };

    private MedicalText() {
    }

    /** Appends {@code min..max} words separated by spaces, first letter upper-case. */
    static void appendTerm(StringBuilder sb, SplittableRandom random, int min, int max) {
        int words = min + random.nextInt(max - min + 1);
        int start = sb.length();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        sb.setCharAt(start, Character.toUpperCase(sb.charAt(start)));
    }

    static String term(SplittableRandom random, int min, int max) {
        StringBuilder sb = new StringBuilder(64);
        appendTerm(sb, random, min, max);
        return sb.toString();
    }
}
