import { ImageIntake } from './ImageIntake';
import { MetadataPanel } from './MetadataPanel';
import { Viewer } from './Viewer';
import './viewer.css';

/** Left column of the reading room: intake, the viewer, and what the file says about itself. */
export function ViewerColumn() {
  return (
    <div className="viewer-stack">
      <ImageIntake />
      <Viewer />
      <MetadataPanel />
    </div>
  );
}
