import { useStore } from 'zustand';
import { hospitalStoreFor, type HospitalState, type HospitalStore } from '../../hospital/hospital-store';
import { useAppStoreApi } from '../store-context';

export function useHospitalApi(): HospitalStore {
  return hospitalStoreFor(useAppStoreApi());
}

export function useHospital<T>(selector: (s: HospitalState) => T): T {
  return useStore(useHospitalApi(), selector);
}
