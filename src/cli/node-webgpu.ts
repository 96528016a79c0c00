import { existsSync } from 'node:fs';

/** Chromium's bundled SwiftShader Vulkan driver: a CPU WebGPU adapter where no GPU is present. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface NodeGpu {
  gpu: GPU | null;
  /** How the adapter was found, or why there is none. */
  note: string;
}

/**
 * WebGPU in Node through Dawn (npm `webgpu`). Tries the machine's own Vulkan drivers first; if
 * they give no adapter and Chromium's SwiftShader driver is installed, uses it, since a slow
 * adapter still lets the pipeline run and be tested.
 */
export async function createNodeGpu(): Promise<NodeGpu> {
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (err) {
    return { gpu: null, note: `the npm package "webgpu" could not be loaded (${String(err)})` };
  }
  Object.assign(globalThis, dawn.globals);
  const first = dawn.create([]);
  if (await first.requestAdapter()) return { gpu: first, note: 'Dawn on the system Vulkan driver' };
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    // The Vulkan loader reads this when Dawn creates its next instance.
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const soft = dawn.create([]);
    if (await soft.requestAdapter()) return { gpu: soft, note: `Dawn on SwiftShader (${SWIFTSHADER_ICD})` };
  }
  const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync);
  return {
    gpu: null,
    note: loader
      ? 'Dawn found no Vulkan adapter (no GPU driver, and no SwiftShader)'
      : 'the Vulkan loader libvulkan.so.1 is missing (Debian: apt-get install libvulkan1)',
  };
}
