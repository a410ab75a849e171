package io.skiff.bench.corpus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded clinical text: terms built from a fixed vocabulary by a few templates shaped like real
 * SNOMED CT and ICD-10-CM descriptions ("Displaced fracture of shaft of left femur", "Product
 * containing precisely metformin 500 milligram/1 each conventional release oral tablet"), so
 * generated files compress roughly as real code-set files do.
 */
final class MedicalText {
    private static final String[] ACUITY = {
            "Acute", "Chronic", "Subacute", "Recurrent", "Acute on chronic", "Congenital", "Traumatic",
            "Primary", "Secondary", "Idiopathic", "Postoperative", "Drug-induced", "Displaced", "Nondisplaced",
            "Open", "Closed", "Complete", "Partial", "Severe", "Mild", "Moderate", "Bilateral", "Localized",
            "Generalized", "Multiple", "Pathological", "Stress", "Comminuted", "Malignant", "Benign"};
    private static final String[] MORPHOLOGY = {
            "fracture", "dislocation", "sprain", "strain", "laceration", "contusion", "abrasion",
            "puncture wound", "burn", "abscess", "cellulitis", "ulcer", "infection", "inflammation", "neoplasm",
            "malignant neoplasm", "benign neoplasm", "carcinoma in situ", "adenocarcinoma", "cyst", "hemorrhage",
            "thrombosis", "embolism", "stenosis", "occlusion", "aneurysm", "hypertrophy", "atrophy", "necrosis",
            "fibrosis", "calcification", "deformity", "degeneration", "injury", "pain", "disorder", "anomaly",
            "lesion", "polyp", "hernia", "obstruction", "perforation", "rupture", "ischemia", "infarction", "edema",
            "effusion", "erosion", "stricture", "crushing injury", "foreign body", "osteomyelitis", "arthritis",
            "tendinitis", "bursitis", "synovitis", "dysplasia", "metaplasia", "hyperplasia", "fistula"};
    private static final String[] SITE = {
            "femur", "shaft of femur", "neck of femur", "tibia", "shaft of tibia", "fibula", "humerus",
            "head of humerus", "radius", "distal end of radius", "ulna", "clavicle", "scapula", "patella",
            "lumbar vertebra", "thoracic vertebra", "cervical vertebra", "rib", "skull", "mandible", "ankle",
            "wrist", "elbow", "knee", "hip", "shoulder", "hand", "foot", "great toe", "thumb", "index finger",
            "lower leg", "upper arm", "forearm", "thigh", "abdominal wall", "chest wall", "scalp", "eyelid",
            "cornea", "retina", "lens", "middle ear", "nasal cavity", "maxillary sinus", "larynx", "trachea",
            "bronchus", "upper lobe of lung", "lower lobe of lung", "pleura", "heart", "mitral valve",
            "aortic valve", "coronary artery", "aorta", "carotid artery", "femoral artery", "saphenous vein",
            "esophagus", "stomach", "duodenum", "jejunum", "ileum", "cecum", "appendix", "ascending colon",
            "sigmoid colon", "rectum", "anus", "liver", "gallbladder", "common bile duct", "pancreas", "spleen",
            "kidney", "ureter", "urinary bladder", "urethra", "prostate", "testis", "ovary", "fallopian tube",
            "uterus", "cervix uteri", "breast", "thyroid gland", "adrenal gland", "pituitary gland", "brain",
            "cerebellum", "spinal cord", "sciatic nerve", "skin", "subcutaneous tissue", "lymph node",
            "bone marrow", "achilles tendon", "rotator cuff", "meniscus of knee", "anterior cruciate ligament",
            "intervertebral disc", "temporomandibular joint", "sacroiliac joint", "orbit", "optic nerve"};
    private static final String[] DIGIT = {"index", "middle", "ring", "little"};
    private static final String[] LATERALITY = {"left", "right", "bilateral", "unspecified"};
    private static final String[] DISEASE = {
            "Diabetes mellitus type 2", "Diabetes mellitus type 1", "Essential hypertension",
            "Chronic kidney disease stage 3", "Chronic kidney disease stage 4", "Asthma",
            "Chronic obstructive pulmonary disease", "Heart failure", "Atrial fibrillation", "Pneumonia",
            "Major depressive disorder", "Hypothyroidism", "Hyperthyroidism", "Rheumatoid arthritis",
            "Osteoarthritis", "Gout", "Migraine", "Epilepsy", "Parkinson disease", "Multiple sclerosis",
            "Iron deficiency anemia", "Sepsis", "Obesity", "Hyperlipidemia", "Cirrhosis of liver",
            "Crohn disease", "Ulcerative colitis", "Psoriasis", "Glaucoma", "Cataract", "Otitis media",
            "Gestational diabetes mellitus", "Pre-eclampsia", "Systemic lupus erythematosus",
            "Alzheimer disease", "Schizophrenia", "Bipolar disorder", "Generalized anxiety disorder",
            "Osteoporosis", "Coronary arteriosclerosis", "Peripheral vascular disease", "Cystic fibrosis",
            "Hepatitis C", "Tuberculosis", "Malaria", "Celiac disease", "Sickle cell disease"};
    private static final String[] COMPLICATION = {
            "hyperglycemia", "hypoglycemia", "neuropathy", "retinopathy", "nephropathy", "ketoacidosis",
            "acute exacerbation", "hemorrhage", "coma", "peripheral angiopathy", "foot ulcer", "psychotic features",
            "status asthmaticus", "intractable migraine", "behavioral disturbance", "pathological fracture",
            "lower respiratory infection", "ascites", "heart failure", "end stage renal disease"};
    private static final String[] INFECTION = {
            "Pneumonia", "Sepsis", "Urinary tract infection", "Meningitis", "Osteomyelitis", "Endocarditis",
            "Cellulitis", "Gastroenteritis", "Bacteremia", "Infection of wound", "Bronchitis", "Sinusitis"};
    private static final String[] ORGANISM = {
            "Staphylococcus aureus", "Escherichia coli", "Streptococcus pneumoniae", "Klebsiella pneumoniae",
            "Pseudomonas aeruginosa", "Haemophilus influenzae", "Mycobacterium tuberculosis", "Candida albicans",
            "Influenza A virus", "Respiratory syncytial virus", "Herpes simplex virus", "Hepatitis B virus",
            "Human immunodeficiency virus", "Clostridioides difficile", "Enterococcus faecalis",
            "Streptococcus pyogenes", "Neisseria meningitidis", "Salmonella enterica", "Aspergillus fumigatus",
            "Methicillin resistant Staphylococcus aureus", "Severe acute respiratory syndrome coronavirus 2"};
    private static final String[] PROCEDURE = {
            "Excision", "Biopsy", "Resection", "Repair", "Replacement", "Removal", "Insertion", "Drainage",
            "Incision", "Reconstruction", "Fixation", "Amputation", "Transplantation", "Ultrasonography",
            "Computed tomography", "Magnetic resonance imaging", "Plain radiography", "Endoscopic examination",
            "Injection", "Aspiration", "Debridement", "Suture", "Ligation", "Bypass", "Dilation", "Fusion",
            "Release", "Revision", "Supplement", "Destruction", "Extirpation", "Inspection", "Reposition"};
    private static final String[] APPROACH = {
            "open approach", "percutaneous approach", "percutaneous endoscopic approach",
            "via natural or artificial opening", "via natural or artificial opening endoscopic", "external approach"};
    private static final String[] DEVICE = {
            "internal fixation device", "synthetic substitute", "autologous tissue substitute", "drainage device",
            "intraluminal device", "monitoring device", "infusion device", "extraluminal device",
            "intramedullary fixation device", "external fixation device", "nonautologous tissue substitute"};
    private static final String[] SUBSTANCE = {
            "amoxicillin", "metformin", "lisinopril", "atorvastatin", "levothyroxine", "amlodipine", "metoprolol",
            "omeprazole", "simvastatin", "losartan", "salbutamol", "gabapentin", "hydrochlorothiazide",
            "sertraline", "furosemide", "prednisolone", "warfarin", "clopidogrel", "paracetamol", "ibuprofen",
            "morphine", "ceftriaxone", "vancomycin", "heparin", "apixaban", "rivaroxaban", "citalopram",
            "pantoprazole", "tramadol", "doxycycline", "azithromycin", "ciprofloxacin", "allopurinol",
            "bisoprolol", "ramipril", "spironolactone", "tamsulosin", "montelukast", "insulin glargine",
            "methotrexate", "carbamazepine", "lamotrigine", "quetiapine", "risperidone", "diazepam"};
    private static final String[] DOSE_FORM = {
            "oral tablet", "oral capsule", "solution for injection", "oral suspension", "oral solution",
            "prolonged-release oral tablet", "gastro-resistant oral capsule", "cutaneous cream",
            "powder for inhalation", "eye drops", "suppository", "transdermal patch"};
    private static final int[] STRENGTH = {1, 2, 2, 5, 10, 10, 20, 25, 40, 50, 75, 100, 100, 150, 200, 250, 300, 400, 500, 500, 750, 1000};
    private static final String[] SPECIMEN = {"Serum", "Plasma", "Urine", "Blood", "Cerebrospinal fluid", "Capillary blood"};
    private static final String[] ANALYTE = {
            "glucose", "creatinine", "sodium", "potassium", "chloride", "bicarbonate", "urea", "hemoglobin",
            "albumin", "total bilirubin", "cholesterol", "triglyceride", "troponin I", "C-reactive protein",
            "thyroid stimulating hormone", "free thyroxine", "ferritin", "vitamin B12", "folate", "calcium",
            "magnesium", "phosphate", "lactate", "alkaline phosphatase", "alanine aminotransferase"};
    private static final String[] MEASUREMENT = {"level", "concentration", "measurement", "mass concentration", "substance concentration"};
    private static final String[] FINDING = {"Pain in", "Swelling of", "Tenderness of", "Stiffness of", "Mass of", "Numbness of", "Weakness of", "Bruising of"};
    private static final String[] ENCOUNTER = {
            "initial encounter", "subsequent encounter", "sequela", "initial encounter for closed fracture",
            "initial encounter for open fracture", "subsequent encounter for fracture with routine healing",
            "subsequent encounter for fracture with delayed healing", "subsequent encounter for fracture with nonunion"};
    /** Syllables of made-up proper names: eponyms, genus and species, drug names. Real terminologies are full of rare words. */
    private static final String[] SYLLABLES = {
            "ab", "ar", "bel", "bor", "ca", "cor", "dan", "del", "di", "dor", "el", "en", "fa", "fer", "gal", "gor",
            "ha", "her", "in", "is", "ka", "kel", "la", "len", "lo", "ma", "mer", "mi", "mon", "na", "nel", "no",
            "or", "pa", "per", "pi", "ra", "ren", "ri", "ro", "sa", "sel", "si", "son", "ta", "ter", "ti", "tor",
            "u", "va", "ver", "vi", "wal", "win", "xa", "ya", "zan", "zel", "bru", "cla", "dre", "fro", "gra", "ple",
            "qui", "sta", "tre", "ste", "mar", "hol", "ber", "kin", "dal", "mund", "thal", "wick", "berg", "stad"};
    /** Greek and Latin word parts: prefix + root + suffix gives words such as "perinephritis" or "gastroscopy". */
    private static final String[] PREFIX = {
            "", "", "", "", "hyper", "hypo", "peri", "endo", "epi", "sub", "intra", "poly", "dys", "neo", "retro",
            "para", "pan", "micro", "macro", "pseudo"};
    private static final String[] ROOT = {
            "cardi", "hepat", "nephr", "neur", "oste", "arthr", "derm", "gastr", "enter", "col", "pneumon",
            "bronch", "laryng", "rhin", "ot", "ophthalm", "my", "angi", "phleb", "lymphaden", "splen", "cyst",
            "ureter", "hyster", "oophor", "mast", "thyr", "aden", "encephal", "mening", "myel", "chondr", "tendin",
            "fasci", "lip", "cephal", "thorac", "crani", "spondyl", "cholecyst", "pancreat", "esophag", "duoden",
            "blephar", "kerat", "retin", "glomerul", "pyel", "prostat", "orchi", "salping", "vagin", "cervic",
            "sinus", "tonsill", "pharyng", "trache", "pleur", "pericardi", "aort", "arteri", "ven", "vascul"};
    private static final String[] DISORDER_SUFFIX = {
            "itis", "osis", "oma", "algia", "pathy", "megaly", "malacia", "sclerosis", "stenosis", "rrhagia",
            "ptosis", "lithiasis", "dynia", "cele", "plegia", "trophy", "ectasia", "edema"};
    private static final String[] PROCEDURE_SUFFIX = {
            "ectomy", "otomy", "ostomy", "plasty", "scopy", "graphy", "rrhaphy", "pexy", "lysis", "centesis"};
    private static final String[] PROCEDURE_MANNER = {
            "Laparoscopic", "Endoscopic", "Open", "Robotic-assisted", "Percutaneous", "Transcatheter",
            "Partial", "Total", "Radical", "Emergency", "Elective", "Revision"};
    private static final String[] EPONYM_NOUN = {"syndrome", "disease", "anomaly", "sign", "palsy", "fracture", "dystrophy", "tumor"};
    private static final Set<String> EPONYM_NOUNS = Set.of(EPONYM_NOUN);
    private static final String[] SPECIES_ENDING = {"ensis", "ii", "ica", "ata", "ans", "osum", "alis", "ella", "ina", "ulus"};
    private static final String[] GENUS_ENDING = {"bacter", "coccus", "myces", "virus", "monas", "bacillus", "ella", "spora"};
    private static final String[] DRUG_ENDING = {"mab", "pril", "olol", "statin", "azole", "cillin", "vir", "sartan", "tinib", "parin", "dronate", "semide"};

    /**
     * Interchangeable words: an edit swaps one for another of its class (left for right, serum for
     * plasma, 250 for 500), which keeps the term readable, as real corrections do.
     */
    private static final Map<String, String[]> WORD_CLASSES = new HashMap<>();
    /** Single-word qualifiers an edit may put in front of a term that has no interchangeable word. */
    private static final String[] QUALIFIER = {
            "Acute", "Chronic", "Subacute", "Recurrent", "Congenital", "Traumatic", "Primary", "Secondary",
            "Idiopathic", "Postoperative", "Severe", "Mild", "Moderate", "Localized", "Generalized"};
    /** ICD-10-CM short descriptions abbreviate the long ones with these. */
    private static final Map<String, String> ABBREVIATIONS = new HashMap<>();

    static {
        String[] pairs = {
                "fracture", "fx", "left", "l", "right", "r", "initial", "init", "encounter", "encntr",
                "subsequent", "subs", "without", "w/o", "with", "w", "unspecified", "unsp", "displaced", "displ",
                "Displaced", "Displ", "nondisplaced", "nondisp", "Nondisplaced", "Nondisp", "malignant", "malig",
                "Malignant", "Malig", "neoplasm", "neoplm", "bilateral", "bi", "complication", "comp", "routine",
                "rout", "healing", "heal", "delayed", "delay", "closed", "clos", "Closed", "Clos", "chronic", "chr",
                "Chronic", "Chr", "disease", "dis", "disorder", "disord", "hypertension", "htn", "infection", "infct",
                "vertebra", "vert", "diabetes", "diab", "Diabetes", "Diab", "pathological",
                "path", "Pathological", "Path", "thoracic", "thor", "lumbar", "lum",
                "cervical", "cerv", "contusion", "contus", "laceration", "lac", "dislocation", "disloc",
                "abdominal", "abd", "superficial", "supfc", "foreign", "fb", "sequela", "sqla", "nonunion", "nonun"};
        for (int i = 0; i < pairs.length; i += 2) {
            ABBREVIATIONS.put(pairs[i], pairs[i + 1]);
        }
        String[] strengths = new String[STRENGTH.length];
        for (int i = 0; i < STRENGTH.length; i++) {
            strengths[i] = Integer.toString(STRENGTH[i]);
        }
        for (String[] wordClass : List.of(LATERALITY, DIGIT, QUALIFIER, PROCEDURE_MANNER, SPECIMEN, strengths,
                new String[]{"level", "concentration", "measurement"}, new String[]{"initial", "subsequent"},
                new String[]{"with", "without"}, new String[]{"open", "percutaneous", "external"})) {
            for (String word : wordClass) {
                if (!word.contains(" ")) {
                    WORD_CLASSES.putIfAbsent(word, wordClass);
                }
            }
        }
    }

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
