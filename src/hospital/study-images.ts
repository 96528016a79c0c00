import type { InstanceRow } from '../dicomweb/records';
import { frontalRank } from '../imaging/choose-frontal';

/** A server image as its row in the study's list names it (and the side viewer with it). */
export function instanceLabel(instances: InstanceRow[], i: InstanceRow): string {
  return `image ${i.instanceNumber ?? instances.indexOf(i) + 1} (${i.modality}${i.viewPosition ? ` ${i.viewPosition}` : ''})`;
}

/** The view to hang beside the open one: the last of the others, frontal views first (the lateral after a PA). */
export function besideInstance(instances: InstanceRow[], open: InstanceRow): InstanceRow | undefined {
  const others = instances.map((i, at) => ({ i, at })).filter(({ i }) => i.sopUID !== open.sopUID);
  return others.sort((a, b) => frontalRank(a.i.viewPosition) - frontalRank(b.i.viewPosition) || a.at - b.at).at(-1)?.i;
}

/** A name unique to the instance: the study key is derived from it, and no identifier is in it. */
export function instanceFileName(instance: InstanceRow): string {
  return `${instance.modality}-${instance.sopUID}.dcm`;
}
