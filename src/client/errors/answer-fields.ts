import { parseErrorCode, type ErrorClass } from "./parse-error-code.js";

/** What ThingSpace's answer said, as errors expose it. */
export interface AnswerFields {
  status?: number;
  errorCode?: string;
  errorMessage?: string;
  /** `INPUT_INVALID`, `REQUEST_FAILED`, `REQUEST_ONHOLD` or `REQUEST_CANCELLED`, when the code names one. */
  errorClass?: ErrorClass;
  /** The service prefix of the code (`UnifiedWebService`), when there is one. */
  service?: string;
}

/** The fields of an answer, with the code's class and service parsed; absent ones left out. */
export function answerFields(answer: { status?: number; errorCode?: string; errorMessage?: string }): AnswerFields {
  const parsed = answer.errorCode === undefined ? undefined : parseErrorCode(answer.errorCode);
  const fields: AnswerFields = {};
  if (answer.status !== undefined) fields.status = answer.status;
  if (answer.errorCode !== undefined) fields.errorCode = answer.errorCode;
  if (answer.errorMessage !== undefined) fields.errorMessage = answer.errorMessage;
  if (parsed?.errorClass !== undefined) fields.errorClass = parsed.errorClass;
  if (parsed?.service !== undefined) fields.service = parsed.service;
  return fields;
}

/** `HTTP 400 REQUEST_FAILED.DeviceNotFound: "Device not found"`, for messages. */
export function summarizeAnswer(answer: { status: number; errorCode?: string; errorMessage?: string }): string {
  const code = answer.errorCode ? ` ${answer.errorCode}` : "";
  const text = answer.errorMessage ? `: ${JSON.stringify(answer.errorMessage)}` : "";
  return `HTTP ${answer.status}${code}${text}`;
}
