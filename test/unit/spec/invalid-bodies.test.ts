import { describe, expect, it } from "vitest";
import { specExample, validatorFor } from "../../support/spec-document.js";

type Body = Record<string, any>;
interface Case {
  rule: string;
  schema: string;
  base: string;
  mutate: (body: Body) => void;
  path: string;
  keyword: string;
}

const devices = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    deviceIds: [{ kind: "iccid", id: String(89141390780800000000n + BigInt(i)) }],
  }));

const cases: Case[] = [
  // add
  {
    rule: "add takes at most 200 devices",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd = devices(201);
    },
    path: "/devicesToAdd",
    keyword: "maxItems",
  },
  {
    rule: "add needs at least one device",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd = [];
    },
    path: "/devicesToAdd",
    keyword: "minItems",
  },
  {
    rule: "add requires devicesToAdd",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      delete b.devicesToAdd;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "add's state is preactive",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.state = "active";
    },
    path: "/state",
    keyword: "enum",
  },
  {
    rule: "add requires state",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      delete b.state;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "eUICC devices need smsrOid",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds[1] = { kind: "eid", id: "8".repeat(32) };
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "add by SKU takes ICCIDs only",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.skuNumber = "7640111922001";
    },
    path: "/devicesToAdd/0/deviceIds/0/kind",
    keyword: "const",
  },
  {
    rule: "unknown fields are rejected",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.acountName = "x";
    },
    path: "",
    keyword: "additionalProperties",
  },
  // identifiers
  {
    rule: "esn is 11 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds = [{ kind: "esn", id: "1234567890" }];
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "meid is 14 hex digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds = [{ kind: "meid", id: "A10000123456XZ" }];
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "imei is 15 or 16 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds[0].id = "15-digit IMEI";
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "iccid is at most 20 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds[1].id = "891413907808007842591";
    },
    path: "/devicesToAdd/0/deviceIds/1/id",
    keyword: "pattern",
  },
  {
    rule: "eid is 32 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.smsrOid = "1.3.6";
      b.devicesToAdd[0].deviceIds[1] = { kind: "eid", id: "8".repeat(31) };
    },
    path: "/devicesToAdd/0/deviceIds/1/id",
    keyword: "pattern",
  },
  {
    rule: "mdn is 10 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds = [{ kind: "mdn", id: "509630608" }];
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "msisdn is 10 to 15 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds = [{ kind: "msisdn", id: "+13122379508" }];
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "imsi is 15 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds = [{ kind: "imsi", id: "31148010443432" }];
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "min is 10 digits",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds = [{ kind: "min", id: "23459581" }];
    },
    path: "/devicesToAdd/0/deviceIds/0/id",
    keyword: "pattern",
  },
  {
    rule: "kind is a known kind in lower case",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.devicesToAdd[0].deviceIds[0].kind = "IMEI";
    },
    path: "/devicesToAdd/0/deviceIds/0/kind",
    keyword: "enum",
  },
  // custom fields
  {
    rule: "custom field keys are CustomField1-5",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.customFields[0].key = "CustomField6";
    },
    path: "/customFields/0/key",
    keyword: "enum",
  },
  {
    rule: "custom field values are at most 50 characters",
    schema: "AddDevicesRequest",
    base: "AddDevicesTwo4GDevices",
    mutate: (b) => {
      b.customFields[0].value = "v".repeat(51);
    },
    path: "/customFields/0/value",
    keyword: "maxLength",
  },
  // activate
  {
    rule: "activate takes at most 10,000 devices",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.devices = devices(10_001);
    },
    path: "/devices",
    keyword: "maxItems",
  },
  {
    rule: "activate needs devices or groupName",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      delete b.devices;
    },
    path: "",
    keyword: "anyOf",
  },
  {
    rule: "activate requires servicePlan",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      delete b.servicePlan;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "activate requires mdnZipCode",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      delete b.mdnZipCode;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "mdnZipCode is five digits",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.mdnZipCode = "9880";
    },
    path: "/mdnZipCode",
    keyword: "pattern",
  },
  {
    rule: "skuNumber is at most 20 characters",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.skuNumber = "stock keeping unit number";
    },
    path: "/skuNumber",
    keyword: "maxLength",
  },
  {
    rule: "activate by SKU takes ICCIDs only",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.devices[1].deviceIds = [{ kind: "imei", id: "990013907884259" }];
    },
    path: "/devices/1/deviceIds/0/kind",
    keyword: "const",
  },
  {
    rule: "costCenterCode is at most 36 characters",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.costCenterCode = "C".repeat(37);
    },
    path: "/costCenterCode",
    keyword: "pattern",
  },
  {
    rule: "costCenterCode allows letters, digits, space, - ! # only",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.costCenterCode = "CC_01";
    },
    path: "/costCenterCode",
    keyword: "pattern",
  },
  {
    rule: "activate's publicIpRestriction is restricted or unrestricted",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesBySku",
    mutate: (b) => {
      b.publicIpRestriction = "U";
    },
    path: "/publicIpRestriction",
    keyword: "enum",
  },
  {
    rule: "ipAddress is IPv4",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.devices[0].ipAddress = "100.127.22.256";
    },
    path: "/devices/0/ipAddress",
    keyword: "format",
  },
  {
    rule: "ipAddress's first octet is 1-255",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.devices[0].ipAddress = "0.127.22.33";
    },
    path: "/devices/0/ipAddress",
    keyword: "pattern",
  },
  {
    rule: "ipAddress needs carrierIpPoolName",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      delete b.carrierIpPoolName;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "leadId excludes primaryPlaceOfUse",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.leadId = "L-1";
    },
    path: "",
    keyword: "not",
  },
  {
    rule: "firstName is at most 20 characters",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.customerName.firstName = "Z".repeat(21);
    },
    path: "/primaryPlaceOfUse/customerName/firstName",
    keyword: "pattern",
  },
  {
    rule: "lastName is at most 25 characters",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.customerName.lastName = "B".repeat(26);
    },
    path: "/primaryPlaceOfUse/customerName/lastName",
    keyword: "pattern",
  },
  {
    rule: "customerName requires firstName",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      delete b.primaryPlaceOfUse.customerName.firstName;
    },
    path: "/primaryPlaceOfUse/customerName",
    keyword: "required",
  },
  {
    rule: "the misspelt addresLine1 is rejected",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      const a = b.primaryPlaceOfUse.address;
      a.addresLine1 = a.addressLine1;
      delete a.addressLine1;
    },
    path: "/primaryPlaceOfUse/address",
    keyword: "additionalProperties",
  },
  {
    rule: "country is US or USA",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.address.country = "CA";
    },
    path: "/primaryPlaceOfUse/address/country",
    keyword: "enum",
  },
  {
    rule: "zip is five digits (or ZIP-ZIP4)",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.address.zip = "2050";
    },
    path: "/primaryPlaceOfUse/address/zip",
    keyword: "pattern",
  },
  {
    rule: "zip4 is four digits",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.address.zip4 = "+4 zipcode digits";
    },
    path: "/primaryPlaceOfUse/address/zip4",
    keyword: "pattern",
  },
  {
    rule: "state is a two-letter code",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.address.state = "Texas";
    },
    path: "/primaryPlaceOfUse/address/state",
    keyword: "pattern",
  },
  {
    rule: "phoneType is one letter of the list",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.address.phoneType = "X";
    },
    path: "/primaryPlaceOfUse/address/phoneType",
    keyword: "enum",
  },
  {
    rule: "emailAddress is an email address",
    schema: "ActivateDevicesRequest",
    base: "ActivateDevicesWithIpAddresses",
    mutate: (b) => {
      b.primaryPlaceOfUse.address.emailAddress = "not-an-email";
    },
    path: "/primaryPlaceOfUse/address/emailAddress",
    keyword: "format",
  },
  // goToState
  {
    rule: "goToState takes at most 10,000 devices",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      b.devices = devices(10_001);
    },
    path: "/devices",
    keyword: "maxItems",
  },
  {
    rule: "goToState needs devices, filter or devicesWithServiceAddress",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      delete b.devices;
    },
    path: "",
    keyword: "anyOf",
  },
  {
    rule: "goToState takes devices or filter, not both",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      b.filter = { groupName: "g" };
    },
    path: "",
    keyword: "not",
  },
  {
    rule: "goToState requires serviceName",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      delete b.serviceName;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "goToState requires stateName",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      delete b.stateName;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "goToState's publicIpRestriction is R or U",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      b.publicIpRestriction = "unrestricted";
    },
    path: "/publicIpRestriction",
    keyword: "enum",
  },
  {
    rule: "goToState by SKU takes ICCIDs or EIDs only",
    schema: "GoToStateRequest",
    base: "GoToStateTwoDevices",
    mutate: (b) => {
      b.skuNumber = "VZW-SKU";
    },
    path: "/devices/0/deviceIds/0/kind",
    keyword: "enum",
  },
  {
    rule: "devicesWithServiceAddress is an array",
    schema: "GoToStateRequest",
    base: "GoToStateBusinessInternet",
    mutate: (b) => {
      b.devicesWithServiceAddress = b.devicesWithServiceAddress[0];
    },
    path: "/devicesWithServiceAddress",
    keyword: "type",
  },
  {
    rule: "filter custom field keys are CustomField1-5",
    schema: "GoToStateRequest",
    base: "GoToStateByFilter",
    mutate: (b) => {
      b.filter.customFields[0].key = "customField1";
    },
    path: "/filter/customFields/0/key",
    keyword: "enum",
  },
  // callbacks: tolerant, but not of everything
  {
    rule: "callbacks need a requestId",
    schema: "CarrierServiceCallback",
    base: "CarrierServiceActivateSucceeded",
    mutate: (b) => {
      delete b.requestId;
    },
    path: "",
    keyword: "required",
  },
  {
    rule: "maxCallbackThreshold as a string must be numeric",
    schema: "ActivateSucceededCallback",
    base: "CarrierServiceActivateSucceeded",
    mutate: (b) => {
      b.maxCallbackThreshold = "four";
    },
    path: "/maxCallbackThreshold",
    keyword: "pattern",
  },
  {
    rule: "a fault needs faultcode and faultstring",
    schema: "DeviceFailedCallback",
    base: "CarrierServiceActivateFailed",
    mutate: (b) => {
      delete b.faultResponse.faultcode;
    },
    path: "/faultResponse",
    keyword: "required",
  },
  {
    rule: "NIDD created carries status ConfigCreated",
    schema: "NiddConfigCreatedCallback",
    base: "NiddServiceConfigCreated",
    mutate: (b) => {
      b.status = "ConfigFailed";
    },
    path: "/status",
    keyword: "const",
  },
];

describe("request and callback schemas reject invalid bodies with the violation's JSON path", () => {
  it.each(cases)("$rule ($schema at '$path', $keyword)", ({ schema, base, mutate, path, keyword }) => {
    const validate = validatorFor(schema);
    const body = specExample<Body>(base);
    expect(validate(body), "the unmodified example must be valid").toBe(true);
    mutate(body);
    expect(validate(body)).toBe(false);
    expect(validate.errors?.map((error) => ({ path: error.instancePath, keyword: error.keyword }))).toContainEqual({
      path,
      keyword,
    });
  });

  it("is tolerant where it receives: any kind case, numeric-string threshold, unknown fields", () => {
    const validate = validatorFor("ActivateSucceededCallback");
    const body = specExample<Body>("CarrierServiceActivateSucceeded");
    body.maxCallbackThreshold = "4";
    body.deviceIds[0].kind = "ImEi";
    body.addedByThingSpaceLater = { any: "thing" };
    expect(validate(body)).toBe(true);
  });
});
