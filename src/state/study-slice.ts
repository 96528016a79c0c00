import type { StateCreator } from 'zustand';
import { openingView, type PresentedView } from '../imaging/presented-view';
import type { Segment } from '../imaging/measure';
import type { DecodedImage } from '../imaging/types';
import type { GrayImage } from '../preprocess/types';
import type { AppState } from './store';

/** The open study: one decoded image and the 8-bit grey image the model reads. */
export interface OpenStudy {
  /** Unique per opened file (the model caches its image encoding under this key). */
  key: string;
  fileName: string;
  image: DecodedImage;
  /** Default-VOI 8-bit grey (src/imaging/default-voi.ts): the model's input. */
  modelInput: GrayImage;
  decodeMs: number;
  /** performance.now() when the file was dropped or chosen (drop -> first token is timed from it). */
  openedAt?: number;
  /** When several files were given at once, or a folder: the set, and which of it is open. */
  fileSet?: FileSet;
}

/** Files given together (imaging/choose-frontal.ts ranks them, the frontal view first). */
export interface FileSet {
  files: { file: File; label: string }[];
  /** How many were given in all (only the first 50 by name are looked at). */
  total: number;
  /** 'files given' or 'image files in the folder "CD1"', for the intake row. */
  origin: string;
  /** Which of `files` is open. */
  index: number;
}

export type IntakeState =
  | { status: 'idle' }
  | { status: 'decoding'; fileName: string }
  | { status: 'error'; fileName: string; code: string; message: string };

export interface StudySlice {
  study: OpenStudy | null;
  intake: IntakeState;
  /** Bumped by each intake; results of an older one are dropped (the last file opened wins). */
  intakeSeq: number;
  intakeStartedAt: number;
  /**
   * Starts opening a file; returns the token to finish it with. The open study stays. `since`: when
   * the user gave it (a drop whose folders and headers were read first), for drop → first token.
   */
  startIntake: (fileName: string, since?: number) => number;
  /** Replaces the open study, if `token` is still the latest intake. */
  finishIntake: (token: number, study: Omit<OpenStudy, 'key'>) => void;
  /** Records why a file could not be opened; the open study is kept. */
  failIntake: (token: number, fileName: string, code: string, message: string) => void;
  dismissIntakeError: () => void;
  closeStudy: () => void;
  /**
   * The lengths the reader drew on an image, as the viewer keeps them (ui/viewer/use-lengths.ts),
   * so that the exports can carry them as structured measurements. Read with openImageLengths.
   */
  imageLengths: { image: DecodedImage; list: readonly Segment[] } | null;
  setImageLengths: (image: DecodedImage, list: readonly Segment[]) => void;
  /**
   * How the viewer shows an image now (window, inversion, turn and flip), so that the lengths'
   * presentation state sent to PACS shows it the same way. Read with openImageView.
   */
  imageView: { image: DecodedImage; view: PresentedView } | null;
  setImageView: (image: DecodedImage, view: PresentedView) => void;
}

/** The lengths drawn on the open study's image; none for another image's or without a study. */
export function openImageLengths(s: Pick<StudySlice, 'study' | 'imageLengths'>): readonly Segment[] {
  return s.study && s.imageLengths?.image === s.study.image ? s.imageLengths.list : [];
}

/** How the viewer shows the open study's image; as it opens when the viewer has not said. */
export function openImageView(s: Pick<StudySlice, 'study' | 'imageView'>): PresentedView | null {
  if (!s.study) return null;
  return s.imageView?.image === s.study.image ? s.imageView.view : openingView(s.study.image);
}

export const createStudySlice: StateCreator<AppState, [], [], StudySlice> = (set, get) => ({
  study: null,
  intake: { status: 'idle' },
  intakeSeq: 0,
  intakeStartedAt: 0,
  startIntake: (fileName, since) => {
    const token = get().intakeSeq + 1;
    set({ intakeSeq: token, intakeStartedAt: since ?? performance.now(), intake: { status: 'decoding', fileName } });
    return token;
  },
  finishIntake: (token, study) => {
    if (token !== get().intakeSeq) return;
    set({ study: { openedAt: get().intakeStartedAt, ...study, key: `study-${token}-${study.fileName}` }, intake: { status: 'idle' } });
  },
  failIntake: (token, fileName, code, message) => {
    if (token !== get().intakeSeq) return;
    set({ intake: { status: 'error', fileName, code, message } });
  },
  dismissIntakeError: () => set({ intake: { status: 'idle' } }),
  closeStudy: () => set({ study: null }),
  imageLengths: null,
  setImageLengths: (image, list) => set({ imageLengths: { image, list } }),
  imageView: null,
  setImageView: (image, view) => set({ imageView: { image, view } }),
});
