import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.ts'],
          globalSetup: ['e2e/support/global-setup.ts'],
          // One browser at a time: these machines have two cores and SwiftShader is CPU-bound.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // `npm run check:kernels`: our q4 weights on a real compiled WebLLM library (minutes on a
        // software GPU; not part of `npm test`, results in docs/webllm-kernels.md).
        test: {
          name: 'kernels',
          include: ['e2e/webllm-kernels/*.check.ts'],
          environment: 'node',
          testTimeout: 60 * 60_000,
        },
      },
    ],
  },
});
