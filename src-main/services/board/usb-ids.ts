/**
 * USB vendor IDs of the debug probes and USB-serial bridges dev kits expose their UART through.
 * A port with one of these is worth a handshake; anything else (modems, Bluetooth, built-in
 * UARTs) is left alone. IDs from the USB-IF vendor list as used by the Linux cdc-acm / usb-serial
 * drivers (lower-case hex, as serialport reports them).
 */
export interface UsbMatch {
  vendor: string;
  /** 'debugger': probe with a virtual COM port; 'bridge': USB-UART chip; 'mcu': native USB CDC. */
  kind: 'debugger' | 'bridge' | 'mcu';
  product?: string;
}

interface VendorEntry {
  vendor: string;
  kind: UsbMatch['kind'];
  products?: Record<string, string>;
}

export const USB_VENDORS: Record<string, VendorEntry> = {
  '1366': {
    vendor: 'SEGGER J-Link',
    kind: 'debugger',
    products: { '0105': 'J-Link CDC', '1015': 'J-Link OB CDC', '1051': 'J-Link OB CDC' },
  },
  '0483': {
    vendor: 'STMicroelectronics ST-LINK',
    kind: 'debugger',
    products: {
      '374b': 'ST-LINK/V2-1',
      '3752': 'ST-LINK/V2-1',
      '374e': 'STLINK-V3',
      '374f': 'STLINK-V3',
      '3753': 'STLINK-V3',
      '5740': 'STM32 Virtual COM Port',
    },
  },
  '10c4': {
    vendor: 'Silicon Labs CP210x',
    kind: 'bridge',
    products: { ea60: 'CP2102/CP2104', ea70: 'CP2105' },
  },
  '2e8a': {
    vendor: 'Raspberry Pi',
    kind: 'mcu',
    products: { '000a': 'Pico (CDC)', '000c': 'Debug Probe', '0009': 'Pico SDK CDC' },
  },
  '1fc9': {
    vendor: 'NXP MCU-Link / LPC-Link2',
    kind: 'debugger',
    products: { '0143': 'MCU-Link', '0090': 'LPC-Link2' },
  },
  '1915': {
    vendor: 'Nordic Semiconductor',
    kind: 'mcu',
    products: { '520f': 'nRF52840 Dongle', c00a: 'nRF USB CDC' },
  },
  '0403': {
    vendor: 'FTDI',
    kind: 'bridge',
    products: { '6001': 'FT232R', '6010': 'FT2232', '6011': 'FT4232', '6014': 'FT232H', '6015': 'FT-X' },
  },
  '303a': { vendor: 'Espressif', kind: 'mcu', products: { '1001': 'USB JTAG/serial' } },
  '1a86': {
    vendor: 'WCH',
    kind: 'bridge',
    products: { '7523': 'CH340', '55d4': 'CH9102', '7522': 'CH340K' },
  },
  '0d28': { vendor: 'Arm DAPLink (CMSIS-DAP)', kind: 'debugger', products: { '0204': 'DAPLink' } },
};

function hex4(id: string | number | undefined): string | null {
  if (id === undefined || id === '') return null;
  const s = typeof id === 'number' ? id.toString(16) : id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(s) ? s.padStart(4, '0') : null;
}

/** The known dev-kit interface behind a VID/PID, or null. */
export function matchUsb(
  vendorId: string | number | undefined,
  productId?: string | number,
): UsbMatch | null {
  const vid = hex4(vendorId);
  const entry = vid ? USB_VENDORS[vid] : undefined;
  if (!entry) return null;
  const pid = hex4(productId);
  const product = pid ? entry.products?.[pid] : undefined;
  return { vendor: entry.vendor, kind: entry.kind, ...(product ? { product } : {}) };
}
