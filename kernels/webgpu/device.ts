/**
 * One GPUDevice per backend instance, acquired lazily on the first call. A lost device or an uncaptured error is
 * recorded when it happens and turned into a WebGpuDeviceError on the next call (a device does not recover: the
 * message says to create a new backend). Pipelines are compiled once per (kind, stage) and cached.
 */
import { WebGpuDeviceError, WebGpuUnavailableError } from './errors.js';
import { kernelSource, type KernelKind, type Stage } from './shaders.js';

export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** Whether this is a software (CPU) adapter such as SwiftShader or lavapipe. */
  readonly fallback: boolean;
}

export interface DeviceLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/** WebGPU's guaranteed minimum limits (the spec's defaults), used by supports() before a device exists. */
export const DEFAULT_LIMITS: DeviceLimits = {
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxComputeWorkgroupsPerDimension: 65535,
};

export class GpuContext {
  private lost: string | undefined;
  private uncaptured: string | undefined;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

  private constructor(
    private readonly backend: string,
    readonly device: GPUDevice,
    readonly adapter: AdapterSummary,
    readonly limits: DeviceLimits,
  ) {
    device.lost.then((info) => {
      this.lost ??= `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    }, () => undefined);
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured ??= event.error.message;
    });
  }

  static async create(backend: string, gpu: GPU, powerPreference: GPUPowerPreference | undefined): Promise<GpuContext> {
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
    } catch (e) {
      throw new WebGpuUnavailableError(backend, `requestAdapter() failed: ${(e as Error).message}`);
    }
    if (!adapter) throw new WebGpuUnavailableError(backend, 'requestAdapter() found no adapter');
    const info = adapter.info;
    const a = adapter.limits;
    // Ask for the adapter's own limits: the defaults (128 MiB per binding) would refuse cases the device can run.
    const limits: DeviceLimits = {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
    };
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredLimits: { ...limits } });
    } catch (e) {
      throw new WebGpuUnavailableError(backend, `requestDevice() failed: ${(e as Error).message}`);
    }
    const summary: AdapterSummary = {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      fallback: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter
        ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter
        ?? /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description} ${info.device}`),
    };
    return new GpuContext(backend, device, summary, limits);
  }

  /** Throws if the device was lost or reported an error since the last check. */
  check(): void {
    if (this.lost !== undefined) {
      throw new WebGpuDeviceError(this.backend, `the GPU device was lost (${this.lost}); create a new backend to continue`);
    }
    if (this.uncaptured !== undefined) {
      const message = this.uncaptured;
      this.uncaptured = undefined;
      throw new WebGpuDeviceError(this.backend, `the GPU device reported an error: ${message}`);
    }
  }

  pipeline(kind: KernelKind, stage: Stage): Promise<GPUComputePipeline> {
    const key = `${stage}:${kind}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.compile(kind, stage, key);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  private async compile(kind: KernelKind, stage: Stage, label: string): Promise<GPUComputePipeline> {
    const module = this.device.createShaderModule({ code: kernelSource(kind, stage), label });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new WebGpuDeviceError(this.backend, `WGSL for ${label} did not compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
    }
    return this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  destroy(): void {
    this.lost ??= 'destroyed: the backend was disposed';
    this.device.destroy();
  }
}
