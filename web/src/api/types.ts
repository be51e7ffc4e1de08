import type { components } from "./schema";

// Names for the API's own schemas (generated from the OpenAPI document: never written by hand).
type S = components["schemas"];
export type Goal = S["GoalPublic"];
export type GoalContent = S["GoalContent"];
export type GoalVersion = S["VersionPublic"];
export type Party = S["PartyPublic"];
export type Milestone = S["MilestoneDraft"];
export type GoalProgress = S["GoalProgressPublic"];
export type Episode = S["EpisodePublic"];
export type SmartCheck = S["SmartCheckPublic"];
export type CriterionResult = S["CriterionResult"];
export type BatchItem = S["BatchItem"];
export type BatchResult = S["BatchResult"];
export type CheckInCreate = S["CheckInCreate"];
export type QuestionnaireCreate = S["QuestionnaireCreate"];
export type QuestionnaireResult = S["QuestionnairePublic"];
export type Instrument = S["Instrument"];
export type Preferences = S["PreferencesBody"];
export type InboxItem = S["InboxItemOut"];
export type Overview = S["Overview"];
