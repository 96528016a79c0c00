import { useState } from 'react';
import { openCompare } from '../../hospital/priors';
import { useHospital } from '../dicomweb/use-hospital';
import { useAppStore } from '../store-context';
import { ImageIntake } from './ImageIntake';
import { PriorViewer } from './PriorViewer';
import { ViewLink, ViewLinkContext } from './view-link';
import { Viewer } from './Viewer';
import './viewer.css';

/**
 * Left pane of the reading room: intake and the viewer, at full height (metadata is a side panel);
 * with a prior to compare, the prior beside the open image, their zoom and pan linked on request.
 */
export function ViewerColumn() {
  const study = useAppStore((s) => s.study);
  const comparing = useHospital((s) => openCompare({ study }, s) !== null);
  const [link] = useState(() => new ViewLink());
  return (
    <div className="viewer-stack">
      <ImageIntake />
      <ViewLinkContext value={link}>
        <Viewer aside={comparing ? <PriorViewer /> : null} />
      </ViewLinkContext>
    </div>
  );
}
