/**
 * The one rule for WebGPU tests on a machine without an adapter: under CI (CI is set) that is a broken set-up,
 * since .ci/run installs software adapters, so the test file fails; anywhere else its GPU tests are skipped with
 * the reason, printed once, so a contributor without Vulkan still gets a green run of everything else.
 */

/**
 * Runs `probe` (create a device or a backend and release it). Resolves to undefined when it worked, or to the
 * reason it did not, after warning `who: skipping …`; rejects instead when CI is set.
 */
export async function webgpuSkipReason(who: string, probe: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await probe();
    return undefined;
  } catch (e) {
    const reason = (e as Error).message;
    if (process.env.CI) throw new Error(`${who}: no WebGPU adapter (CI is set, so this fails instead of skipping): ${reason}`, { cause: e });
    console.warn(`${who}: skipping the WebGPU tests: ${reason}`);
    return reason;
  }
}
