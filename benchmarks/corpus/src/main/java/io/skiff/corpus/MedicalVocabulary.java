package io.skiff.corpus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fixed vocabulary {@link MedicalText} builds its terms from: word lists by role (sites, diseases,
 * substances, ...), word parts for derived words, the classes of interchangeable words an edit swaps,
 * and ICD-10-CM's abbreviations. Constants only; their order is part of the corpus (the generator picks
 * by index), so a change here changes every generated release.
 */
final class MedicalVocabulary {
    static final String[] ACUITY = {
            "Acute", "Chronic", "Subacute", "Recurrent", "Acute on chronic", "Congenital", "Traumatic",
            "Primary", "Secondary", "Idiopathic", "Postoperative", "Drug-induced", "Displaced", "Nondisplaced",
            "Open", "Closed", "Complete", "Partial", "Severe", "Mild", "Moderate", "Bilateral", "Localized",
            "Generalized", "Multiple", "Pathological", "Stress", "Comminuted", "Malignant", "Benign"};
    static final String[] MORPHOLOGY = {
            "fracture", "dislocation", "sprain", "strain", "laceration", "contusion", "abrasion",
            "puncture wound", "burn", "abscess", "cellulitis", "ulcer", "infection", "inflammation", "neoplasm",
            "malignant neoplasm", "benign neoplasm", "carcinoma in situ", "adenocarcinoma", "cyst", "hemorrhage",
            "thrombosis", "embolism", "stenosis", "occlusion", "aneurysm", "hypertrophy", "atrophy", "necrosis",
            "fibrosis", "calcification", "deformity", "degeneration", "injury", "pain", "disorder", "anomaly",
            "lesion", "polyp", "hernia", "obstruction", "perforation", "rupture", "ischemia", "infarction", "edema",
            "effusion", "erosion", "stricture", "crushing injury", "foreign body", "osteomyelitis", "arthritis",
            "tendinitis", "bursitis", "synovitis", "dysplasia", "metaplasia", "hyperplasia", "fistula"};
    static final String[] SITE = {
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
    static final String[] DIGIT = {"index", "middle", "ring", "little"};
    static final String[] LATERALITY = {"left", "right", "bilateral", "unspecified"};
    static final String[] DISEASE = {
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
    static final String[] COMPLICATION = {
            "hyperglycemia", "hypoglycemia", "neuropathy", "retinopathy", "nephropathy", "ketoacidosis",
            "acute exacerbation", "hemorrhage", "coma", "peripheral angiopathy", "foot ulcer", "psychotic features",
            "status asthmaticus", "intractable migraine", "behavioral disturbance", "pathological fracture",
            "lower respiratory infection", "ascites", "heart failure", "end stage renal disease"};
    static final String[] INFECTION = {
            "Pneumonia", "Sepsis", "Urinary tract infection", "Meningitis", "Osteomyelitis", "Endocarditis",
            "Cellulitis", "Gastroenteritis", "Bacteremia", "Infection of wound", "Bronchitis", "Sinusitis"};
    static final String[] ORGANISM = {
            "Staphylococcus aureus", "Escherichia coli", "Streptococcus pneumoniae", "Klebsiella pneumoniae",
            "Pseudomonas aeruginosa", "Haemophilus influenzae", "Mycobacterium tuberculosis", "Candida albicans",
            "Influenza A virus", "Respiratory syncytial virus", "Herpes simplex virus", "Hepatitis B virus",
            "Human immunodeficiency virus", "Clostridioides difficile", "Enterococcus faecalis",
            "Streptococcus pyogenes", "Neisseria meningitidis", "Salmonella enterica", "Aspergillus fumigatus",
            "Methicillin resistant Staphylococcus aureus", "Severe acute respiratory syndrome coronavirus 2"};
    static final String[] PROCEDURE = {
            "Excision", "Biopsy", "Resection", "Repair", "Replacement", "Removal", "Insertion", "Drainage",
            "Incision", "Reconstruction", "Fixation", "Amputation", "Transplantation", "Ultrasonography",
            "Computed tomography", "Magnetic resonance imaging", "Plain radiography", "Endoscopic examination",
            "Injection", "Aspiration", "Debridement", "Suture", "Ligation", "Bypass", "Dilation", "Fusion",
            "Release", "Revision", "Supplement", "Destruction", "Extirpation", "Inspection", "Reposition"};
    static final String[] APPROACH = {
            "open approach", "percutaneous approach", "percutaneous endoscopic approach",
            "via natural or artificial opening", "via natural or artificial opening endoscopic", "external approach"};
    static final String[] DEVICE = {
            "internal fixation device", "synthetic substitute", "autologous tissue substitute", "drainage device",
            "intraluminal device", "monitoring device", "infusion device", "extraluminal device",
            "intramedullary fixation device", "external fixation device", "nonautologous tissue substitute"};
    static final String[] SUBSTANCE = {
            "amoxicillin", "metformin", "lisinopril", "atorvastatin", "levothyroxine", "amlodipine", "metoprolol",
            "omeprazole", "simvastatin", "losartan", "salbutamol", "gabapentin", "hydrochlorothiazide",
            "sertraline", "furosemide", "prednisolone", "warfarin", "clopidogrel", "paracetamol", "ibuprofen",
            "morphine", "ceftriaxone", "vancomycin", "heparin", "apixaban", "rivaroxaban", "citalopram",
            "pantoprazole", "tramadol", "doxycycline", "azithromycin", "ciprofloxacin", "allopurinol",
            "bisoprolol", "ramipril", "spironolactone", "tamsulosin", "montelukast", "insulin glargine",
            "methotrexate", "carbamazepine", "lamotrigine", "quetiapine", "risperidone", "diazepam"};
    static final String[] DOSE_FORM = {
            "oral tablet", "oral capsule", "solution for injection", "oral suspension", "oral solution",
            "prolonged-release oral tablet", "gastro-resistant oral capsule", "cutaneous cream",
            "powder for inhalation", "eye drops", "suppository", "transdermal patch"};
    static final int[] STRENGTH = {1, 2, 2, 5, 10, 10, 20, 25, 40, 50, 75, 100, 100, 150, 200, 250, 300, 400, 500, 500, 750, 1000};
    static final String[] SPECIMEN = {"Serum", "Plasma", "Urine", "Blood", "Cerebrospinal fluid", "Capillary blood"};
    static final String[] ANALYTE = {
            "glucose", "creatinine", "sodium", "potassium", "chloride", "bicarbonate", "urea", "hemoglobin",
            "albumin", "total bilirubin", "cholesterol", "triglyceride", "troponin I", "C-reactive protein",
            "thyroid stimulating hormone", "free thyroxine", "ferritin", "vitamin B12", "folate", "calcium",
            "magnesium", "phosphate", "lactate", "alkaline phosphatase", "alanine aminotransferase"};
    static final String[] MEASUREMENT = {"level", "concentration", "measurement", "mass concentration", "substance concentration"};
    static final String[] FINDING = {"Pain in", "Swelling of", "Tenderness of", "Stiffness of", "Mass of", "Numbness of", "Weakness of", "Bruising of"};
    static final String[] ENCOUNTER = {
            "initial encounter", "subsequent encounter", "sequela", "initial encounter for closed fracture",
            "initial encounter for open fracture", "subsequent encounter for fracture with routine healing",
            "subsequent encounter for fracture with delayed healing", "subsequent encounter for fracture with nonunion"};
    /** Syllables of made-up proper names: eponyms, genus and species, drug names. Real terminologies are full of rare words. */
    static final String[] SYLLABLES = {
            "ab", "ar", "bel", "bor", "ca", "cor", "dan", "del", "di", "dor", "el", "en", "fa", "fer", "gal", "gor",
            "ha", "her", "in", "is", "ka", "kel", "la", "len", "lo", "ma", "mer", "mi", "mon", "na", "nel", "no",
            "or", "pa", "per", "pi", "ra", "ren", "ri", "ro", "sa", "sel", "si", "son", "ta", "ter", "ti", "tor",
            "u", "va", "ver", "vi", "wal", "win", "xa", "ya", "zan", "zel", "bru", "cla", "dre", "fro", "gra", "ple",
            "qui", "sta", "tre", "ste", "mar", "hol", "ber", "kin", "dal", "mund", "thal", "wick", "berg", "stad"};
    /** Greek and Latin word parts: prefix + root + suffix gives words such as "perinephritis" or "gastroscopy". */
    static final String[] PREFIX = {
            "", "", "", "", "hyper", "hypo", "peri", "endo", "epi", "sub", "intra", "poly", "dys", "neo", "retro",
            "para", "pan", "micro", "macro", "pseudo"};
    static final String[] ROOT = {
            "cardi", "hepat", "nephr", "neur", "oste", "arthr", "derm", "gastr", "enter", "col", "pneumon",
            "bronch", "laryng", "rhin", "ot", "ophthalm", "my", "angi", "phleb", "lymphaden", "splen", "cyst",
            "ureter", "hyster", "oophor", "mast", "thyr", "aden", "encephal", "mening", "myel", "chondr", "tendin",
            "fasci", "lip", "cephal", "thorac", "crani", "spondyl", "cholecyst", "pancreat", "esophag", "duoden",
            "blephar", "kerat", "retin", "glomerul", "pyel", "prostat", "orchi", "salping", "vagin", "cervic",
            "sinus", "tonsill", "pharyng", "trache", "pleur", "pericardi", "aort", "arteri", "ven", "vascul"};
    static final String[] DISORDER_SUFFIX = {
            "itis", "osis", "oma", "algia", "pathy", "megaly", "malacia", "sclerosis", "stenosis", "rrhagia",
            "ptosis", "lithiasis", "dynia", "cele", "plegia", "trophy", "ectasia", "edema"};
    static final String[] PROCEDURE_SUFFIX = {
            "ectomy", "otomy", "ostomy", "plasty", "scopy", "graphy", "rrhaphy", "pexy", "lysis", "centesis"};
    static final String[] PROCEDURE_MANNER = {
            "Laparoscopic", "Endoscopic", "Open", "Robotic-assisted", "Percutaneous", "Transcatheter",
            "Partial", "Total", "Radical", "Emergency", "Elective", "Revision"};
    static final String[] EPONYM_NOUN = {"syndrome", "disease", "anomaly", "sign", "palsy", "fracture", "dystrophy", "tumor"};
    static final Set<String> EPONYM_NOUNS = Set.of(EPONYM_NOUN);
    static final String[] SPECIES_ENDING = {"ensis", "ii", "ica", "ata", "ans", "osum", "alis", "ella", "ina", "ulus"};
    static final String[] GENUS_ENDING = {"bacter", "coccus", "myces", "virus", "monas", "bacillus", "ella", "spora"};
    static final String[] DRUG_ENDING = {"mab", "pril", "olol", "statin", "azole", "cillin", "vir", "sartan", "tinib", "parin", "dronate", "semide"};

    /**
     * Interchangeable words: an edit swaps one for another of its class (left for right, serum for
     * plasma, 250 for 500), which keeps the term readable, as real corrections do.
     */
    static final Map<String, String[]> WORD_CLASSES = new HashMap<>();
    /** Single-word qualifiers an edit may put in front of a term that has no interchangeable word. */
    static final String[] QUALIFIER = {
            "Acute", "Chronic", "Subacute", "Recurrent", "Congenital", "Traumatic", "Primary", "Secondary",
            "Idiopathic", "Postoperative", "Severe", "Mild", "Moderate", "Localized", "Generalized"};
    /** ICD-10-CM short descriptions abbreviate the long ones with these. */
    static final Map<String, String> ABBREVIATIONS = new HashMap<>();

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

    private MedicalVocabulary() {
    }
}
