import { chooseProviders, needsProbe } from '../../capabilities/choose-provider';
import { formatReport } from '../../capabilities/format';
import { planStages } from '../../capabilities/plan';
import { measureProviders } from '../../capabilities/provider-probe';
import { loadOrtForNode } from '../../node/ort-node';
import { probeNode } from '../probe-node';

/**
 * `caps [--json] [--ep auto|webgpu|wasm]`: what this machine offers and each stage's runtime, by
 * the same rule as the app: forced, else never a software adapter, else a measured probe.
 */
export async function capsCommand(args: string[]): Promise<number> {
  const i = args.indexOf('--ep');
  const ep = i >= 0 ? args[i + 1] : 'auto';
  if (ep !== 'auto' && ep !== 'webgpu' && ep !== 'wasm') {
    console.error('--ep must be auto, webgpu or wasm');
    return 2;
  }
  const forced = ep === 'auto' ? undefined : ep;
  const caps = await probeNode();
  let probe = null;
  if (needsProbe(caps, forced)) {
    const { ort, provider } = await loadOrtForNode('webgpu');
    if (provider === 'webgpu') probe = await measureProviders(ort);
  }
  const choices = chooseProviders(caps, forced, probe);
  const plan = planStages(caps, choices);
  console.log(args.includes('--json') ? JSON.stringify({ caps, providers: choices, plan }, null, 2) : formatReport(caps, plan));
  return 0;
}
