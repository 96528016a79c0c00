/*
 * The data behind the CheXpert-style labeler (chexpert-labeler.ts): what counts as a mention of
 * each observation, and the cues that make a mention negative or uncertain.
 *
 * The mention / unmention lists follow the CheXpert labeler's phrase files
 * (stanfordmlgroup/chexpert-labeler, MIT licence: phrases/mention/*.txt, phrases/unmention/*.txt
 * and the positional "unmentions" built in stages/extract.py), with a few synonyms added where that
 * labeler relied on substring matching (we match whole words; see PHRASE SYNTAX). The cue lists
 * re-express its NegBio dependency patterns (patterns/*.txt) as surface cues, because a
 * dependency parser is out of reach in the browser: a cue word before the mention (in the same
 * clause), or a predicate after it ("heart size is normal").
 *
 * PHRASE SYNTAX (mention phrases, unmention phrases and cues alike):
 *   - matched on the cleaned, lower-case text, from a word start to a word end;
 *   - a space matches any run of spaces or hyphens ("air space" = "air-space" = "air  space");
 *   - a trailing "*" matches any word ending ("atelecta*" = atelectasis, atelectatic);
 *   - otherwise a plural "s"/"es" is allowed at the end ("effusion" = "effusions").
 */

export const OBSERVATIONS = [
  'No Finding',
  'Enlarged Cardiomediastinum',
  'Cardiomegaly',
  'Lung Lesion',
  'Lung Opacity',
  'Edema',
  'Consolidation',
  'Pneumonia',
  'Atelectasis',
  'Pneumothorax',
  'Pleural Effusion',
  'Pleural Other',
  'Fracture',
  'Support Devices',
] as const;

export type Observation = (typeof OBSERVATIONS)[number];

/** The observations a report can mention (No Finding is derived from the others). */
export type MentionedObservation = Exclude<Observation, 'No Finding'>;

/** The six findings the CXR-LLaVA paper averages F1 over on MIMIC (its report prompt names them). */
export const PAPER_FINDINGS: readonly Observation[] = ['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion', 'Pneumothorax'];

export interface MentionPhrase {
  phrase: string;
  /**
   * A mention that is uncertain even when asserted (CheXpert's post-negation rule for
   * "vascular congestion", "pulmonary congestion", "indistinctness", "vascular prominence").
   */
  assertedUncertain?: boolean;
  /**
   * When asserted (positive or uncertain), also an uncertain mention of these observations
   * (CheXpert's exception: "chf" and "heart failure" make Cardiomegaly uncertain).
   */
  alsoUncertain?: MentionedObservation[];
  /**
   * A heart / mediastinal size or contour phrase: "stable", "unchanged", "similar to prior"
   * make it uncertain (CheXpert's post-negation rules on cardiomediastinal|contour|silhouette|
   * size|heart|shadow ...), since an unchanged heart may be unchanged and enlarged.
   */
  stableIsUncertain?: boolean;
}

export interface ObservationPhrases {
  mention: (string | MentionPhrase)[];
  /** Text that contains a mention phrase but is no mention (overlapping matches are dropped). */
  unmention?: string[];
}

// CheXpert's positional unmentions: "over the heart", "in the left mediastinum" ... (stages/extract.py),
// with "overlying the" and "projecting over the" added.
const POSITIONS = ['over the', 'overlying the', 'projecting over the', 'overly the', 'in the'];
const SIDES = ['', ' superior', ' left', ' right'];
const positional = (nouns: string[]): string[] => POSITIONS.flatMap((p) => SIDES.flatMap((s) => nouns.map((n) => `${p}${s} ${n}`)));

const HEART_PHRASES = ['heart', 'heart size', 'cardiac size', 'cardiac shadow', 'cardiac contour', 'cardiac silhouette'];
const MEDIASTINUM_PHRASES = [
  'mediastinum',
  'cardiomediastinum',
  'cardiomediastinal silhouette',
  'cardiomediastinal contour',
  'cardiomediastinal contours',
  'mediastinal contour',
  'mediastinal configuration',
  'mediastinal silhouette',
  'pericardial silhouette',
  'cardiac silhouette and vascularity',
  'contour',
];

export const PHRASES: Record<MentionedObservation, ObservationPhrases> = {
  'Enlarged Cardiomediastinum': {
    mention: [
      ...MEDIASTINUM_PHRASES.map((phrase) => ({ phrase, stableIsUncertain: true })),
      'mediastinal widening',
      'widened mediastinum',
      'widening of the mediastinum',
      'enlarged cardiomediastinum',
      'enlarged cardiomediastinal silhouette',
    ],
    unmention: positional(MEDIASTINUM_PHRASES),
  },
  Cardiomegaly: {
    mention: [
      'cardiomegaly',
      'cardiac enlargement',
      'enlarged heart',
      'enlargement of the heart',
      ...HEART_PHRASES.map((phrase) => ({ phrase, stableIsUncertain: true })),
    ],
    // A device "in the heart" or "over the cardiac silhouette" is no statement about its size.
    unmention: [...positional(HEART_PHRASES), 'heart failure', 'heart valve', 'heart valves'],
  },
  'Lung Lesion': {
    mention: [
      'mass',
      'nodular density',
      'nodular densities',
      'nodular opacity',
      'nodular opacities',
      'nodular opacification',
      'nodule',
      'nodul*',
      'lump',
      'cavitary lesion',
      'carcinoma',
      'neoplasm',
      'tumor',
      'tumour',
    ],
    unmention: ['calcified nodul*', 'massengale'],
  },
  'Lung Opacity': {
    mention: [
      'opaci*',
      'decreased translucency',
      'increased density',
      'airspace disease',
      'air space disease',
      'infiltrate*',
      'infiltration',
      'interstitial marking',
      'interstitial pattern',
      'interstitial lung',
      'reticular pattern',
      'reticular marking',
      'reticulation',
      'parenchymal scarring',
      'peribronchial thickening',
      'wall thickening',
      'scar*',
    ],
    unmention: ['pleural scar*', 'pleural parenchymal scar*', 'pleuro parenchymal scar*', 'pleuro pericardial scar*'],
  },
  Edema: {
    mention: [
      'edema',
      'oedema',
      { phrase: 'heart failure', alsoUncertain: ['Cardiomegaly'] },
      { phrase: 'chf', alsoUncertain: ['Cardiomegaly'] },
      { phrase: 'vascular congestion', assertedUncertain: true },
      { phrase: 'pulmonary congestion', assertedUncertain: true },
      { phrase: 'indistinctness', assertedUncertain: true },
      { phrase: 'vascular prominence', assertedUncertain: true },
    ],
  },
  Consolidation: { mention: ['consolidat*'] },
  Pneumonia: { mention: ['pneumonia', 'bronchopneumonia', 'infection', 'infectious process', 'infectious'] },
  Atelectasis: { mention: ['atelecta*', 'collapse*'] },
  Pneumothorax: { mention: ['pneumothorax', 'pneumothoraces', 'hydropneumothorax'] },
  'Pleural Effusion': {
    mention: ['effusion', 'pleural fluid', 'hydrothorax', 'hydropneumothorax'],
    unmention: ['pericardial effusion', 'joint effusion'],
  },
  'Pleural Other': {
    mention: ['pleural thickening', 'fibrosis', 'fibrothorax', 'pleural scar*', 'pleural parenchymal scar*', 'pleuro parenchymal scar*', 'pleuro pericardial scar*'],
  },
  Fracture: { mention: ['fractur*'] },
  'Support Devices': {
    mention: [
      'pacer',
      'line',
      'lines',
      'picc',
      'tube',
      'valve',
      'catheter',
      'pacemaker',
      'hardware',
      'arthroplast*',
      'marker',
      'icd',
      'defib*',
      'device',
      'drain',
      'plate',
      'screw',
      'cannula',
      'apparatus',
      'coil',
      'support',
      'equipment',
      'mediport',
      'port a cath',
      'stent',
      'pacing wire',
      'sternotomy wire',
      'endotracheal',
      'endotracheal tube',
    ],
    unmention: ['pleural line', 'skin line', 'skin fold line', 'midline', 'tube feeding', 'support of'],
  },
};

/**
 * CheXpert's phrases/mention/no_finding.txt: other abnormalities. Positive or uncertain, they do
 * not get a column of their own, but the report is then not "No Finding".
 */
export const OTHER_FINDING_PHRASES: string[] = [
  'emphysema',
  'blunt*',
  'density',
  'densities',
  'elevation',
  'elevated hemidiaphragm',
  'eventration',
  'scoliosis',
  'degenera*',
  'calcifi*',
  'hyperinflat*',
  'bronchospasm',
  'asthma',
  'hernia',
  'copd',
  'interstitial markings',
  'plaque',
  'osteophytosis',
  'aortic disease',
  'bronchiolitis',
  'airways disease',
  'thickening',
  'cephalization',
  'aspiration',
  'bulla*',
  'contusion',
  'atherosclero*',
  'osteopenia',
  'metastas*',
  'granuloma*',
  'pneumomediastinum',
  'pneumoperitoneum',
  'osteodystrophy',
  'cuffing',
  'irregular lucency',
  'inflam*',
  'fissure',
  'hypertension',
  'prominen*',
  'kyphosis',
  'bullet',
  'reticula*',
  'thoracentesis',
  'bronchitis',
  'volume loss',
  'deformity',
  'hemorrhage',
  'hematoma',
  'radiopaque',
  'aerophagia',
  'arthropathy',
  'tracheostomy',
  'hyperexpan*',
  'tortuous*',
  'tortuosity',
];

/*
 * CUES. A mention is classified in this order, as CheXpert's ModifiedDetector does:
 *   1. pre-negation uncertainty ("cannot exclude X", "no new X") -> uncertain;
 *   2. negation ("no X", "X is normal", "resolved X") -> negative;
 *   3. post-negation uncertainty ("may represent X", "X is likely", "X versus Y") -> uncertain;
 *   4. otherwise positive.
 * "before" cues precede the mention in its clause; their scope runs to the end of the clause or to
 * the first scope break (SCOPE_BREAKS); maxWords, where given, limits the words between cue and
 * mention. "after" cues are predicates that follow the mention: either right after it
 * ("heart size normal") or after a linking verb within a few words ("heart size and mediastinal
 * contours are within normal limits", "the pneumothorax has resolved"). A predicate that carries
 * its own verb ("cannot be excluded") needs no linking verb.
 */
export interface BeforeCue {
  cue: string;
  maxWords?: number;
}

export interface CueSet {
  before: BeforeCue[];
  after: string[];
  /** Predicates after the mention that carry their own verb. */
  afterVerbal?: string[];
  /** Words right after the mention ("atelectasis OR pneumonia", "atelectasis VERSUS pneumonia"). */
  afterAdjacent?: string[];
}

/** Uncertainty checked before negation (CheXpert patterns/pre_negation_uncertainty.txt + borderline). */
export const PRE_NEGATION_UNCERTAINTY: CueSet = {
  before: [
    { cue: 'cannot exclude' },
    { cue: 'can not exclude' },
    { cue: 'cannot be excluded' },
    { cue: 'cannot rule out' },
    { cue: 'can not rule out' },
    { cue: 'not rule out' },
    { cue: 'no evidence to rule out' },
    { cue: 'difficult to exclude' },
    { cue: 'no new' },
    { cue: 'no new area of' },
    { cue: 'no significant new' },
    { cue: 'borderline', maxWords: 3 },
    { cue: 'top normal', maxWords: 3 },
    { cue: 'upper normal', maxWords: 3 },
  ],
  after: ['borderline', 'top normal', 'upper normal', 'at the upper limits of normal', 'at the upper limit of normal', 'not excluded', 'not entirely excluded', 'not ruled out'],
  afterVerbal: ['cannot be excluded', 'can not be excluded', 'cannot be ruled out', 'can not be ruled out', 'could not be excluded', 'not excluded'],
};

export const NEGATION: CueSet = {
  before: [
    { cue: 'no' },
    { cue: 'not' },
    { cue: 'without' },
    { cue: 'nor' },
    { cue: 'neither' },
    { cue: 'free of' },
    { cue: 'negative for' },
    { cue: 'clear of' },
    { cue: 'absence of' },
    { cue: 'absent', maxWords: 2 },
    { cue: 'no evidence of' },
    { cue: 'no signs of' },
    { cue: 'no sign of' },
    { cue: 'rather than' },
    { cue: 'resolved', maxWords: 3 },
    { cue: 'resolving', maxWords: 3 },
    { cue: 'resolution of' },
    { cue: 'interval resolution of' },
    { cue: 'disappearance of' },
    { cue: 'removal of' },
    { cue: 'removed', maxWords: 3 },
    { cue: 'drainage of' },
    { cue: 'history of' },
    { cue: 'normal', maxWords: 3 },
    { cue: 'unremarkable', maxWords: 3 },
    { cue: 'cleared', maxWords: 3 },
  ],
  after: [
    'normal',
    'unremarkable',
    'within normal limits',
    'normal in size',
    'normal size',
    'not enlarged',
    'not seen',
    'not identified',
    'not present',
    'not visualized',
    'not demonstrated',
    'not evident',
    'not detected',
    'no longer seen',
    'no longer present',
    'no longer visualized',
    'no longer evident',
    'no longer identified',
    'no longer demonstrated',
    'absent',
    'resolved',
    'cleared',
    'removed',
    'excluded',
    'negative',
  ],
  afterVerbal: ['resolved', 'has resolved', 'have resolved', 'has cleared', 'have cleared', 'has been removed', 'have been removed', 'was removed', 'were removed', 'no longer seen', 'no longer visible', 'no longer present'],
};

export const POST_NEGATION_UNCERTAINTY: CueSet = {
  before: [
    { cue: 'may' },
    { cue: 'might' },
    { cue: 'could' },
    { cue: 'would' },
    { cue: 'possible' },
    { cue: 'possibly' },
    { cue: 'probable' },
    { cue: 'probably' },
    { cue: 'likely' },
    { cue: 'presumably' },
    { cue: 'presumed' },
    { cue: 'suspect' },
    { cue: 'suspected' },
    { cue: 'suspicious' },
    { cue: 'suspicion of' },
    { cue: 'suspicion for' },
    { cue: 'suggestive of' },
    { cue: 'suggesting' },
    { cue: 'suggests' },
    { cue: 'suggest' },
    { cue: 'suggestion of' },
    { cue: 'concern for' },
    { cue: 'concerning for' },
    { cue: 'worrisome for' },
    { cue: 'question of' },
    { cue: 'questionable' },
    { cue: 'equivocal' },
    { cue: 'indeterminate' },
    { cue: 'rule out' },
    { cue: 'r or o' },
    { cue: 'differential diagnosis includes' },
    { cue: 'differential diagnoses include' },
    { cue: 'differential includes' },
    { cue: 'differential diagnosis' },
    { cue: 'considered' },
    { cue: 'consider' },
    { cue: 'correlate clinically for' },
    { cue: 'clinical correlation for' },
    { cue: 'secondary to', maxWords: 3 },
    { cue: 'versus', maxWords: 3 },
    { cue: 'vs', maxWords: 3 },
    { cue: 'or', maxWords: 3 },
    { cue: 'obscuring', maxWords: 3 },
    { cue: 'obscured', maxWords: 3 },
  ],
  after: [
    'possible',
    'likely',
    'suspected',
    'questioned',
    'questionable',
    'considered',
    'suggested',
    'not well seen',
    'not well visualized',
    'not well evaluated',
    'not clearly seen',
    'not clearly visualized',
    'poorly evaluated',
    'incompletely evaluated',
    'not appreciated',
    'obscured',
    'difficult to exclude',
    'difficult to assess',
    'not assessed',
    'less likely',
  ],
  // "X may be enlarged", "X could be present" (CheXpert: "{} > {} {lemma:/may|might|would|could/}").
  afterVerbal: ['may be', 'might be', 'could be', 'may also be', 'not entirely excluded'],
  afterAdjacent: ['versus', 'vs', 'or'],
};

/**
 * Uncertainty for stableIsUncertain mentions only (heart, mediastinum): CheXpert's
 * "stable / unchanged / similar to prior silhouette" rules.
 */
export const STABLE_UNCERTAINTY: CueSet = {
  before: [{ cue: 'stable', maxWords: 3 }, { cue: 'unchanged', maxWords: 3 }, { cue: 'no change in' }, { cue: 'no significant change in' }, { cue: 'no interval change in' }],
  after: ['stable', 'unchanged', 'not changed', 'similar', 'similar to prior', 'similar to the prior', 'grossly stable', 'essentially unchanged'],
};

/**
 * Text that looks like a negation but is none (NegEx's pseudo-negations): negation cues inside
 * these spans are ignored, so "no change in the small left effusion" is a positive effusion.
 */
export const PSEUDO_NEGATIONS: string[] = [
  'no change',
  'no significant change',
  'no interval change',
  'no significant interval change',
  'no appreciable interval change',
  'no definite change',
  'no substantial change',
  'no appreciable change',
  'no increase',
  'no significant increase',
  'no decrease',
  'not changed',
  'without change',
  'without significant change',
  'without interval change',
  'not only',
  'not necessarily',
  'not significantly changed',
  'normal variant',
];

/** Words that end every cue's scope: a new clause starts after them. */
export const CLAUSE_BREAKS: string[] = [
  'but',
  'however',
  'although',
  'though',
  'except',
  'aside from',
  'apart from',
  'other than',
  'whereas',
  'while',
  'which',
  'nevertheless',
];

/**
 * Softer ends for a "before" cue's scope: regular expressions on the cleaned text. The scope
 * ends where one of these starts ("no effusion, and the heart is enlarged"), or, for the
 * "is seen" form, right after it ("no effusion is seen and cardiomegaly ...").
 */
export const SCOPE_BREAKS: RegExp[] = [
  /(?:,|\band)\s+(?:the|there|this|these|that|it|a|an|new|a new|stable|mild|moderate|severe|small|large|unchanged|persistent)\b/g,
  /\b(?:is|are|was|were|has been|have been)\s+(?:seen|noted|present|identified|demonstrated|appreciated|evident|visualized|visible|detected|unchanged|stable)\b/g,
  /\bthere (?:is|are|has been|have been)\b/g,
];

/** Linking verbs between a mention and an "after" predicate ("heart size IS normal"). */
export const LINKING_VERBS: string[] = ['is', 'are', 'was', 'were', 'appears', 'appear', 'remains', 'remain', 'seems', 'seem', 'looks', 'look', 'has', 'have', 'had', 'has been', 'have been'];

/** Adverbs allowed between the linking verb and the predicate ("is NOW normal"). */
export const PREDICATE_ADVERBS: string[] = [
  'now',
  'otherwise',
  'again',
  'also',
  'overall',
  'essentially',
  'grossly',
  'largely',
  'entirely',
  'completely',
  'since',
  'once again',
  'clearly',
  'quite',
  'still',
  'relatively',
  'stably',
];
