// The memory plan is pure and shared with the UI's forecast, so it lives in src/shared.
export * from '@shared/model/memoryPlan';
