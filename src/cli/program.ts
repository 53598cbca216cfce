/**
 * The command line (commander): the subcommands, their options and help, turned into one
 * `RunSettings`. What a flag means for the request body is a field of the spec's body: the
 * table `bodyFlags` maps flags to fields, and the body they make is checked against the spec
 * before anything is sent, so no rule of the spec is restated here.
 */
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { maxActivateDevices, maxAddDevices, maxGoToStateDevices } from "../index.js";
import type { InputOperation } from "./input.js";

/** Requests in flight by default (the activate pacing's window); see README "The provisioning command" for why 100. */
export const defaultConcurrency = 100;

/** ThingSpace's redelivery window: a callback is sent up to 4 times about 5 minutes apart. */
export const defaultWaitSeconds = 25 * 60;

/** Everything a run needs, from the command line. */
export interface RunSettings {
  operation: InputOperation;
  input: string;
  simulator: boolean;
  report?: string;
  journal: string;
  resume: boolean;
  restart: boolean;
  skipInvalid: boolean;
  concurrency: number;
  chunkSize: number;
  listen?: number;
  publicUrl?: string;
  replaceCallback: boolean;
  /** Seconds to wait for results; `false` with `--no-wait`. */
  wait: number | false;
  template?: string;
  /** Body fields from flags (`servicePlan` from `--service-plan`). */
  fields: Record<string, string>;
}

type BodyFlag = [flag: string, field: string, help: string];

// Flags that more than one subcommand takes.
const servicePlan: BodyFlag = ["--service-plan <plan>", "servicePlan", "the service plan (required)"];
const zip: BodyFlag = ["--zip <zip>", "mdnZipCode", "the ZIP code the MDNs are assigned in (mdnZipCode, required)"];
const groupName: BodyFlag = ["--group-name <name>", "groupName", "the device group"];
const skuNumber: BodyFlag = ["--sku-number <sku>", "skuNumber", "the SKU of devices given by ICCID or EID only"];
const ipPool: BodyFlag = ["--carrier-ip-pool-name <pool>", "carrierIpPoolName", "the carrier's IP pool"];

/** The flags that set a body field, per subcommand. */
const bodyFlags: Record<Exclude<InputOperation, "reconcile">, BodyFlag[]> = {
  addDevices: [
    ["--state <state>", "state", "the initial state (the spec allows only preactive, the default)"],
    groupName,
    skuNumber,
  ],
  activateDevices: [servicePlan, zip, groupName, skuNumber, ipPool],
  goToState: [
    ["--service-name <name>", "serviceName", "the customer-defined service (required)"],
    ["--state-name <name>", "stateName", "the customer-defined state (required)"],
    servicePlan,
    zip,
    groupName,
    ipPool,
  ],
};

const positiveInteger =
  (name: string, max = Number.MAX_SAFE_INTEGER) =>
  (value: string) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < 1 || number > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return number;
  };

const port = (value: string) => {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 65535) throw new InvalidArgumentError("must be a port number, 0 to 65535");
  return number;
};

const url = (value: string) => {
  if (!/^https?:\/\//.test(value) || !URL.canParse(value)) throw new InvalidArgumentError("must be an http(s) URL");
  return value;
};

/** `10,000 a request`: the spec's limit, as help text says it. */
const perRequest = (limit: number) => `${limit.toLocaleString("en-US")} a request`;

const chunkLimits = { addDevices: maxAddDevices, activateDevices: maxActivateDevices, goToState: maxGoToStateDevices };

/** Options every subcommand takes. */
function common(command: Command): Command {
  return command
    .argument("<file>", "the devices: CSV with a header row (.csv) or JSON Lines (.jsonl, .ndjson)")
    .option("--simulator", "run against the embedded simulator instead of ThingSpace (no credentials needed)")
    .option("--report <file>", "write one row per device to this .csv or .json file");
}

/** Options of the subcommands that send requests. */
function sending(command: Command, operation: Exclude<InputOperation, "reconcile">): Command {
  common(command);
  for (const [flag, , help] of bodyFlags[operation]) command.option(flag, help);
  return command
    .option("--template <file>", "a JSON file with the rest of the request body (flags override it)")
    .option("--skip-invalid", "send the valid rows and report the invalid ones, instead of sending nothing")
    .option("--journal <file>", "the journal of the run (default: <file>.journal next to the input)")
    .option("--resume", "continue the run the journal records: no accepted chunk is sent again")
    .option("--restart", "start over: overwrite the journal and send every device again")
    .addOption(
      new Option("--concurrency <n>", "requests in flight at most (activate stays within 100 a minute)")
        .argParser(positiveInteger("--concurrency"))
        .default(defaultConcurrency),
    )
    .addOption(
      new Option("--chunk-size <n>", "devices per request (default: the spec's limit)").argParser(
        positiveInteger("--chunk-size", chunkLimits[operation]),
      ),
    )
    .addOption(new Option("--listen <port>", "receive callbacks on this port (0: any free port)").argParser(port))
    .addOption(new Option("--public-url <url>", "where ThingSpace reaches --listen's port").argParser(url))
    .option("--replace-callback", "replace the service's callback registration for the run if one exists")
    .addOption(
      new Option("--wait <seconds>", "how long to wait for results before reconciling")
        .argParser(positiveInteger("--wait"))
        .default(defaultWaitSeconds),
    )
    .option("--no-wait", "send only: report accepted requests without waiting for results");
}

type Parsed = Record<string, unknown>;

function settingsOf(operation: InputOperation, input: string, options: Parsed): RunSettings {
  const flags = operation === "reconcile" ? [] : bodyFlags[operation];
  const fields: Record<string, string> = {};
  for (const [flag, field] of flags) {
    const key = flag.slice(2, flag.indexOf(" ")).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (typeof options[key] === "string") fields[field] = options[key];
  }
  if (operation === "reconcile" && typeof options.stateName === "string") fields.stateName = options.stateName;
  if (options.publicUrl !== undefined && options.listen === undefined) {
    throw new InvalidArgumentError("--public-url needs --listen <port>");
  }
  if (options.resume && options.restart) throw new InvalidArgumentError("--resume and --restart exclude each other");
  const settings: RunSettings = {
    operation,
    input: path.resolve(input),
    simulator: options.simulator === true,
    journal: path.resolve(typeof options.journal === "string" ? options.journal : `${input}.journal`),
    resume: options.resume === true,
    restart: options.restart === true,
    skipInvalid: options.skipInvalid === true,
    concurrency: (options.concurrency as number | undefined) ?? defaultConcurrency,
    chunkSize: (options.chunkSize as number | undefined) ?? (operation === "reconcile" ? 0 : chunkLimits[operation]),
    replaceCallback: options.replaceCallback === true,
    wait: options.wait === false ? false : ((options.wait as number | undefined) ?? defaultWaitSeconds),
    fields,
  };
  if (typeof options.report === "string") settings.report = path.resolve(options.report);
  if (typeof options.listen === "number") settings.listen = options.listen;
  if (typeof options.publicUrl === "string") settings.publicUrl = options.publicUrl;
  if (typeof options.template === "string") settings.template = path.resolve(options.template);
  return settings;
}

/** The program; `run` is called with the settings of the subcommand given. */
export function createProgram(run: (settings: RunSettings) => Promise<void>): Command {
  const program = new Command("thingspace-m2m")
    .description("Provision ThingSpace devices from a CSV or JSON Lines file, with progress, resume and a report.")
    .showHelpAfterError("(run with --help for the options)")
    .exitOverride();
  const subcommands: [string, Exclude<InputOperation, "reconcile">, string][] = [
    ["add", "addDevices", `add the devices (PRE-ACTIVE), ${perRequest(maxAddDevices)}`],
    [
      "activate",
      "activateDevices",
      `activate the devices, ${perRequest(maxActivateDevices)}, 100 requests a minute (the client's pacing)`,
    ],
    ["go-to-state", "goToState", "move the devices to a customer-defined service and state"],
  ];
  for (const [name, operation, description] of subcommands) {
    const command = sending(new Command(name).description(description), operation);
    command.action((input: string, options: Parsed) => run(settingsOf(operation, input, options)));
    program.addCommand(command.exitOverride());
  }
  const reconcile = common(new Command("reconcile"))
    .description("look the devices up and report their state (after a run, or for any file of devices)")
    .option("--state-name <name>", "the state that counts as succeeded (default: in service)");
  reconcile.action((input: string, options: Parsed) => run(settingsOf("reconcile", input, options)));
  program.addCommand(reconcile.exitOverride());
  return program;
}
