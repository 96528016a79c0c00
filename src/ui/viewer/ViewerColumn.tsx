import { ImageIntake } from './ImageIntake';
import { Viewer } from './Viewer';
import './viewer.css';

/** Left pane of the reading room: intake and the viewer, at full height (metadata is a side panel). */
export function ViewerColumn() {
  return (
    <div className="viewer-stack">
      <ImageIntake />
      <Viewer />
    </div>
  );
}
