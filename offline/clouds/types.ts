/** A mock's realistic outputs for one resource type, given its logical name and inputs. */
export type ResourceMock = (name: string, inputs: any) => { id: string; state: any };
/** A mock answer for one invoke token; throw for arguments the program should never send. */
export type InvokeMock = (args: any) => Record<string, unknown>;

/** A fake "physical" name the way Pulumi's auto-naming makes one. */
export const autoname = (name: string): string => `${name}-a1b2c3d`;
