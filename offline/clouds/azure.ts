import type { InvokeMock, ResourceMock } from "./types";

export const azureResources: Record<string, ResourceMock> = {};

export const azureInvokes: Record<string, InvokeMock> = {};
