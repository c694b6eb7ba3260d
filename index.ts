import { loadConfig } from "./src/config";
import { deploy } from "./src/program";

// Config is read and validated before any resource is registered; the returned object's
// properties are the stack outputs (see ProgramOutputs).
export = deploy(loadConfig());
