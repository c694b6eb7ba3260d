import type { InvokeMock, ResourceMock } from "./types";

export const gcpResources: Record<string, ResourceMock> = {};

export const gcpInvokes: Record<string, InvokeMock> = {};
