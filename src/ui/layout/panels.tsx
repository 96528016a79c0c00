import type { ComponentType, ReactNode } from 'react';
import { CapabilityPanel } from '../CapabilityPanel';
import { KeysPanel } from '../KeysPanel';
import { ModelPanel } from '../ModelPanel';
import { SettingsPanel } from '../SettingsPanel';
import { PriorsCount, PriorStudies } from '../dicomweb/PriorStudies';
import { StudyBrowser } from '../dicomweb/StudyBrowser';
import { WorklistCount, WorklistPanel } from '../worklist/WorklistPanel';
import { MetadataPanel } from '../viewer/MetadataPanel';

/**
 * The panels the user opens beside the reading room: everything that is not the main flow
 * (image, report, chat). Each stays mounted while closed (a model load keeps its state; tests and
 * status attributes can read it) and is shown in the drawer when opened. New panels (e.g. a study
 * browser or worklist) are one more entry here.
 */
export interface PanelDef {
  id: string;
  /** The toggle's text and the drawer section's name. */
  label: string;
  render: () => ReactNode;
  /** Shown on the toggle, e.g. how many studies the worklist holds (it fills from a drop with the panel shut). */
  Badge?: ComponentType;
}

export const PANELS: PanelDef[] = [
  { id: 'worklist', label: 'Worklist', render: () => <WorklistPanel />, Badge: WorklistCount },
  { id: 'studies', label: 'Hospital server', render: () => <StudyBrowser /> },
  { id: 'priors', label: 'Prior studies', render: () => <PriorStudies />, Badge: PriorsCount },
  { id: 'model', label: 'Model', render: () => <ModelPanel /> },
  { id: 'image-info', label: 'Image information', render: () => <MetadataPanel /> },
  { id: 'device', label: 'This device', render: () => <CapabilityPanel /> },
  { id: 'settings', label: 'Settings', render: () => <SettingsPanel /> },
  { id: 'keys', label: 'Keyboard', render: () => <KeysPanel /> },
];
